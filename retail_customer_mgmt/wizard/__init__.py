from . import loyalty_card_update_balance
from . import retail_points_adjust
from . import retail_customer_forget
from . import retail_order_exception_resolve
from . import retail_customer_forget_traces
from . import retail_customer_forget_survey
