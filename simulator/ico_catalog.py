"""Built-in IBM Cloud Orchestrator 2.5 catalogue: task engine tasks and service instances.

Task entries use the format of the ``ico_tasks:`` section of a ``--catalog`` YAML file (see
simulator/README.md): an entry with a ``status`` keeps it; an entry without one moves through
QUEUED -> RUNNING -> COMPLETED (or FAILED with ``parm: {simulate: fail}``), timed from the moment it was seeded.
"""

from __future__ import annotations

PROJECT_ADMIN = 'admin'
PROJECT_A = 'finance'
PROJECT_B = 'engineering'

SERVICE_INSTANCE_A = 'si-fin-0001'
SERVICE_INSTANCE_B = 'si-eng-0001'

_BUNDLE = 'com.ibm.orchestrator.messages.orchestratormessages'

# The task of IBM's "Task Response" sample, kept as data (its elided ``parm`` is filled in plausibly).
SEED_TASK = {
    'id': '1003',
    'status': 'COMPLETED',
    'status_localized': 'Completed',
    'created': 1396263830875,
    'updated': 1396263914896,
    'created_iso': '2014-03-31T13:03:50+0200',
    'updated_iso': '2014-03-31T13:05:14+0200',
    'user': 'ksadmin',
    'domain': 'Default',
    'project': PROJECT_ADMIN,
    'parm': {'processApp': 'SCOrchestrator_Toolkit', 'processName': 'Deploy single virtual machine'},
    'eventTopic': 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process',
    'delayInSeconds': 30,
    'description': {'resourceBundle': _BUNDLE, 'message': None, 'messageKey': 'PROCESS_COMPLETE', 'args': []},
    'description_message': 'The process is complete.',
    'error': {'resourceBundle': _BUNDLE, 'message': None, 'messageKey': 'BPM_PROCESS_COMPLETE', 'args': ['3']},
    'error_message': 'CTJCO0002I: Business process instance 3 completed successfully.',
}

BUILTIN_TASKS = [
    SEED_TASK,
    {'id': '1004', 'project': PROJECT_A, 'user': 'alice', 'status': 'COMPLETED', 'created': 1767261600000,
     'parm': {'action': 'start', 'vm': 'fin-app-01'}, 'serviceInstanceId': SERVICE_INSTANCE_A, 'delayInSeconds': 0},
    {'id': '1005', 'project': PROJECT_A, 'user': 'alice', 'status': 'FAILED', 'created': 1767348000000,
     'parm': {'action': 'resize', 'vm': 'fin-app-01', 'flavor': 'm1.xlarge'}, 'serviceInstanceId': SERVICE_INSTANCE_A,
     'error_message': 'CTJCO0003E: Business process instance 41 failed: flavor m1.xlarge is not available in region RegionOne.'},
    {'id': '1006', 'project': PROJECT_A, 'user': 'alice', 'status': 'RUNNING', 'created': 1767434400000,
     'parm': {'action': 'backup', 'vm': 'fin-db-01'}},
    {'id': '1007', 'project': PROJECT_A, 'user': 'alice', 'delayInSeconds': 3600,
     'parm': {'action': 'snapshot', 'vm': 'fin-db-01'}},
    {'id': '1008', 'project': PROJECT_B, 'user': 'bob', 'status': 'COMPLETED', 'created': 1767520800000,
     'parm': {'action': 'deploy', 'pattern': 'web-tier'}, 'serviceInstanceId': SERVICE_INSTANCE_B},
    {'id': '1009', 'project': PROJECT_B, 'user': 'bob', 'status': 'FAILED', 'created': 1767607200000,
     'parm': {'action': 'scale', 'pattern': 'web-tier', 'nodes': 5},
     'error_message': 'CTJCO0003E: Business process instance 57 failed: quota exceeded for instances in project engineering.'},
    {'id': '1010', 'project': PROJECT_B, 'user': 'bob', 'delayInSeconds': 0,
     'parm': {'action': 'restart', 'pattern': 'web-tier'}, 'serviceInstanceId': SERVICE_INSTANCE_B},
    {'id': '1011', 'project': PROJECT_ADMIN, 'user': 'admin', 'status': 'CANCELED', 'created': 1767693600000,
     'parm': {'action': 'decommission', 'vm': 'old-build-07'}},
]

SERVICE_INSTANCES = [
    {'id': SERVICE_INSTANCE_A, 'name': 'fin-app-01', 'description': 'Finance application server',
     'status': 'ACTIVE', 'type': 'SingleVirtualMachine', 'domain': 'Default', 'project': PROJECT_A, 'owner': 'alice',
     'created': 1767175200000, 'offeringName': 'Deploy single virtual machine'},
    {'id': SERVICE_INSTANCE_B, 'name': 'web-tier', 'description': 'Engineering web tier pattern',
     'status': 'ACTIVE', 'type': 'VirtualSystemPattern', 'domain': 'Default', 'project': PROJECT_B, 'owner': 'bob',
     'created': 1767175200000, 'offeringName': 'Deploy virtual system pattern'},
    {'id': 'si-adm-0001', 'name': 'ico-monitoring', 'description': 'Monitoring stack for the cloud administrators',
     'status': 'ACTIVE', 'type': 'VirtualSystemPattern', 'domain': 'Default', 'project': PROJECT_ADMIN, 'owner': 'admin',
     'created': 1767175200000, 'offeringName': 'Deploy virtual system pattern'},
]
