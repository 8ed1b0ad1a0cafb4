from . import retail_points_adjust
from . import retail_customer_forget
