from . import retail_grade_run
from . import retail_grade_run_batch
from . import retail_recommendation
