from . import retail_purchase
from . import retail_customer_analysis
from . import retail_kpi_report
from . import retail_xlsx_export
from . import retail_xlsx_export_customers
from . import retail_xlsx_export_exceptions
from . import retail_xlsx_export_points
from . import retail_xlsx_export_tickets
