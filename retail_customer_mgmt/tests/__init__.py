from . import test_purchase_stats_service
from . import test_customer_profile
from . import test_customer_stats
from . import test_security
from . import test_points_service
from . import test_loyalty_points
from . import test_points_concurrency
from . import test_i18n
