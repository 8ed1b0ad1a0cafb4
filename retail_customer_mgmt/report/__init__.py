from . import retail_customer_analysis
from . import retail_campaign_result
