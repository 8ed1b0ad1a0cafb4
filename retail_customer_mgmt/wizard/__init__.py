from . import retail_points_adjust
