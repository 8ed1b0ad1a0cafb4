from . import retail_purchase
from . import retail_customer_analysis
