{
    "name": "Retail Customer Management: Job Queue",
    "summary": "Run the nightly regrade (one job per batch of customers) and the "
    "recommendations rebuild of retail_customer_mgmt on OCA's queue_job",
    "version": "18.0.1.0.0",
    "category": "Sales/Retail",
    "license": "LGPL-3",
    "author": "retail_customer_mgmt contributors",
    "website": "https://github.com/retail-customer-mgmt/retail_customer_mgmt",
    "depends": ["retail_customer_mgmt", "queue_job"],
    "data": [
        "security/ir.model.access.csv",
        "security/retail_grade_run_batch_security.xml",
        "data/queue_job_data.xml",
    ],
    "auto_install": True,
    "installable": True,
}
