from . import retail_customer_analysis
