from . import test_queue_recommendations
from . import test_queue_regrade
from . import test_queue_regrade_access
