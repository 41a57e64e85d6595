"""Built-in SDDC Manager task catalogue: the tasks every fresh simulator serves.

Entries use the same format as the ``vcf_tasks:`` section of a ``--catalog`` YAML file (see
simulator/README.md). Ids are stable so that tests, docs and the demo can name them.
"""

from __future__ import annotations

import time
import uuid

# The facts of the "Get the Tasks" sample in the VCF 4.4 API reference, kept as data.
SEED_COMMISSION_ID = '9d63e8b9-fa17-4465-912a-69aa1f2a2840'
SEED_DOMAIN_CREATION_ID = '55831ff0-76fe-4944-9682-d73d9612a02e'
SEED_CREDENTIALS_ROTATE_ID = '4d3736c1-7345-4c20-a778-5e46f9715036'

RETRY_SUCCEEDS_ID = '7a5e0001-5e1f-4c0d-9a11-000000000001'
RETRY_FAILS_ONCE_ID = '7a5e0002-5e1f-4c0d-9a11-000000000002'
IN_PROGRESS_ID = '7a5e0003-5e1f-4c0d-9a11-000000000003'
SUCCESSFUL_ID = '7a5e0004-5e1f-4c0d-9a11-000000000004'
CANCELLED_ID = '7a5e0005-5e1f-4c0d-9a11-000000000005'
NOT_RETRYABLE_ID = '7a5e0006-5e1f-4c0d-9a11-000000000006'
CREDENTIALS_FAILED_ID = '7a5e0007-5e1f-4c0d-9a11-000000000007'

BENCH_PREFIX = 'Bench remediation'
BENCH_COUNT = 24
HISTORY_COUNT = 260

# A fixed namespace keeps generated ids identical across machines and restarts.
_NAMESPACE = uuid.UUID('0c1d5a7e-55dd-4c3a-9f00-5e1f0cf00001')

_SEED_TS = '2019-06-20T12:03:18.890Z'

_COMMISSION_SUBTASKS = [
    {'name': 'HostVibValidationAction', 'description': 'Validate the hosts for any disallowed VIBS',
     'status': 'SUCCESSFUL', 'creationTimestamp': _SEED_TS},
    {'name': 'HostMaintenanceModeValidationAction', 'description': 'Verifies that none of the hosts are in maintenance mode',
     'status': 'FAILED', 'creationTimestamp': _SEED_TS},
    {'name': 'FetchDnsAndNtpAction', 'description': 'Fetches DNS \\u0026 NTP IPs',
     'status': 'PENDING', 'creationTimestamp': _SEED_TS},
]


def _uuid(label):
    return str(uuid.uuid5(_NAMESPACE, label))


def _host(fqdn, label):
    return {'resourceId': _uuid('host/' + label), 'type': 'ESXI', 'fqdn': fqdn, 'name': fqdn}


BUILTIN_TASKS = [
    {
        'id': SEED_COMMISSION_ID,
        'name': 'Commissioning host(s) sfo01-w01-esx05.rainpole.io to VMware Cloud Foundation',
        'type': 'HOST_COMMISSION',
        'status': 'Failed',
        'created': _SEED_TS,
        'completed': '2019-06-20T12:09:42.117Z',
        'outcomes': ['successful'],
        'subtasks': _COMMISSION_SUBTASKS,
        'errors': [{'errorCode': 'COMMISION_HOST_FAILED', 'errorType': 'ERROR',
                    'message': 'Failed to Commissioning host(s) sfo01-w01-esx05.rainpole.io to VMware Cloud Foundation',
                    'causes': []}],
        'resources': [{'resourceId': '2478efd9-9882-469f-9d74-629dddf760a0', 'type': 'HOST'}],
    },
    {
        'id': SEED_DOMAIN_CREATION_ID,
        'name': 'Vi workload Domain Creation',
        'type': 'DOMAIN_CREATION',
        'status': 'FAILED',
        'created': '1970-01-20T01:47:10.561Z',
        'completed': '1970-01-20T02:12:55.004Z',
        'outcomes': ['successful'],
        'subtasks': _COMMISSION_SUBTASKS,
        'errors': [],
        'resources': [{'resourceId': '3ed1aedb-6f54-4d38-93d4-fb4d16a7c6f5', 'type': 'HOST'}],
    },
    {
        'id': SEED_CREDENTIALS_ROTATE_ID,
        'name': 'Credentials rotate operation',
        'type': 'CREDENTIALS_ROTATE',
        'credentials': True,
        'status': 'Successful',
        'created': _SEED_TS,
        'completed': '2019-06-20T12:04:51.310Z',
        'subtasks': [{'name': 'sfo-vcf01.rainpole.io:FTP',
                      'description': 'Password rotate for sfo-vcf01.rainpole.io and credential type FTP',
                      'status': 'SUCCESSFUL', 'creationTimestamp': _SEED_TS,
                      'resourceName': 'sfo-vcf01.rainpole.io', 'credentialType': 'FTP', 'username': 'vcf'}],
        'errors': [],
        'resources': [{'resourceId': 'd8c1f4a4-bfdf-4889-a2dc-e486cf598337', 'type': 'HOST'}],
    },
    {
        'id': RETRY_SUCCEEDS_ID,
        'name': 'Add cluster sfo-m01-cl02 to domain sfo-m01',
        'type': 'CLUSTER_CREATION',
        'status': 'Failed',
        'created': '2026-03-02T09:15:00.000Z',
        'completed': '2026-03-02T09:41:27.512Z',
        'outcomes': ['successful'],
        'subtasks': [
            {'name': 'ValidateClusterSpecAction', 'description': 'Validate the cluster specification', 'status': 'SUCCESSFUL'},
            {'name': 'ConfigureVsanDatastoreAction', 'description': 'Configure the vSAN datastore', 'status': 'FAILED'},
            {'name': 'AddClusterToInventoryAction', 'description': 'Add the cluster to the SDDC Manager inventory', 'status': 'PENDING'},
        ],
        'errors': [{'errorCode': 'VSAN_DISK_CLAIM_FAILED', 'errorType': 'ERROR',
                    'message': 'Failed to claim disks for vSAN on host sfo01-m01-esx06.rainpole.io',
                    'remediationMessage': 'Check that the host has unused disks and retry the task.', 'causes': []}],
        'resources': [{'resourceId': _uuid('cluster/sfo-m01-cl02'), 'type': 'CLUSTER', 'name': 'sfo-m01-cl02'}],
    },
    {
        'id': RETRY_FAILS_ONCE_ID,
        'name': 'Replace certificates of sfo-w01-nsx01.rainpole.io',
        'type': 'CERTIFICATE_REPLACEMENT',
        'status': 'Failed',
        'created': '2026-03-03T14:02:10.000Z',
        'completed': '2026-03-03T14:07:45.220Z',
        'outcomes': ['failed', 'successful'],
        'subtasks': [
            {'name': 'GenerateCsrAction', 'description': 'Generate the certificate signing request', 'status': 'SUCCESSFUL'},
            {'name': 'InstallCertificateAction', 'description': 'Install the signed certificate on NSX Manager', 'status': 'FAILED'},
            {'name': 'RestartServicesAction', 'description': 'Restart the NSX Manager services', 'status': 'PENDING'},
        ],
        'errors': [{'errorCode': 'CERTIFICATE_INSTALL_FAILED', 'errorType': 'ERROR',
                    'message': 'Failed to install the certificate on sfo-w01-nsx01.rainpole.io',
                    'remediationMessage': 'Make sure NSX Manager is reachable and retry.', 'causes': []}],
        'resources': [{'resourceId': _uuid('nsx/sfo-w01-nsx01'), 'type': 'NSXT_MANAGER', 'fqdn': 'sfo-w01-nsx01.rainpole.io',
                       'name': 'sfo-w01-nsx01'}],
    },
    {
        'id': IN_PROGRESS_ID,
        'name': 'Upgrade vCenter sfo-w01-vc01.rainpole.io',
        'type': 'UPGRADE',
        'status': 'In Progress',
        'in_progress_seconds': 3600,
        'outcomes': ['successful'],
        'subtasks': [
            {'name': 'VcenterPrecheckAction', 'description': 'Run the vCenter upgrade pre-checks', 'status': 'SUCCESSFUL'},
            {'name': 'VcenterUpgradeAction', 'description': 'Upgrade vCenter Server', 'status': 'IN_PROGRESS'},
            {'name': 'VcenterPostUpgradeAction', 'description': 'Validate vCenter after the upgrade', 'status': 'PENDING'},
        ],
        'resources': [{'resourceId': _uuid('vc/sfo-w01-vc01'), 'type': 'VCENTER', 'fqdn': 'sfo-w01-vc01.rainpole.io',
                       'name': 'sfo-w01-vc01'}],
    },
    {
        'id': SUCCESSFUL_ID,
        'name': 'Decommissioning host(s) sfo01-w01-esx09.rainpole.io from VMware Cloud Foundation',
        'type': 'HOST_DECOMMISSION',
        'status': 'Successful',
        'created': '2026-02-11T08:00:00.000Z',
        'completed': '2026-02-11T08:06:31.044Z',
        'subtasks': [
            {'name': 'HostDecommissionValidationAction', 'description': 'Validate the hosts to decommission', 'status': 'SUCCESSFUL'},
            {'name': 'RemoveHostFromInventoryAction', 'description': 'Remove the hosts from the inventory', 'status': 'SUCCESSFUL'},
        ],
        'resources': [_host('sfo01-w01-esx09.rainpole.io', 'esx09')],
    },
    {
        'id': CANCELLED_ID,
        'name': 'Download bundle 4f1b0a88-2e6c-4a5c-8b1e-0d8a3d2f7e41',
        'type': 'BUNDLE_DOWNLOAD',
        'status': 'Cancelled',
        'created': '2026-02-20T17:30:00.000Z',
        'completed': '2026-02-20T17:31:12.900Z',
        'subtasks': [
            {'name': 'BundleDownloadAction', 'description': 'Download the bundle from the depot', 'status': 'CANCELLED'},
        ],
        'resources': [{'resourceId': '4f1b0a88-2e6c-4a5c-8b1e-0d8a3d2f7e41', 'type': 'BUNDLE'}],
    },
    {
        'id': NOT_RETRYABLE_ID,
        'name': 'Deploy NSX Edge cluster sfo-w01-ec01',
        'type': 'EDGE_CLUSTER_CREATION',
        'status': 'Failed',
        'retryable': False,
        'created': '2026-03-05T11:20:00.000Z',
        'completed': '2026-03-05T11:22:03.761Z',
        'subtasks': [
            {'name': 'ValidateEdgeClusterSpecAction', 'description': 'Validate the edge cluster specification', 'status': 'FAILED'},
        ],
        'errors': [{'errorCode': 'EDGE_CLUSTER_SPEC_INVALID', 'errorType': 'ERROR',
                    'message': 'The edge cluster specification is invalid: the uplink VLAN 2084 is already in use',
                    'remediationMessage': 'Create a new edge cluster task with a corrected specification.', 'causes': []}],
        'resources': [{'resourceId': _uuid('edge/sfo-w01-ec01'), 'type': 'NSX_EDGE_CLUSTER', 'name': 'sfo-w01-ec01'}],
    },
    {
        'id': CREDENTIALS_FAILED_ID,
        'name': 'Credentials rotate operation',
        'type': 'CREDENTIALS_ROTATE',
        'credentials': True,
        'status': 'Failed',
        'created': '2026-03-06T02:00:00.000Z',
        'completed': '2026-03-06T02:01:40.118Z',
        'outcomes': ['successful'],
        'subtasks': [
            {'name': 'sfo-m01-vc01.rainpole.io:SSH', 'description': 'Password rotate for sfo-m01-vc01.rainpole.io and credential type SSH',
             'status': 'FAILED', 'resourceName': 'sfo-m01-vc01.rainpole.io', 'credentialType': 'SSH', 'username': 'root'},
            {'name': 'sfo01-m01-esx01.rainpole.io:SSH', 'description': 'Password rotate for sfo01-m01-esx01.rainpole.io and credential type SSH',
             'status': 'SUCCESSFUL', 'resourceName': 'sfo01-m01-esx01.rainpole.io', 'credentialType': 'SSH', 'username': 'root'},
        ],
        'errors': [{'errorCode': 'PASSWORD_ROTATE_FAILED', 'errorType': 'ERROR',
                    'message': 'Password rotation failed for sfo-m01-vc01.rainpole.io: the account is locked',
                    'remediationMessage': 'Unlock the account and retry the credentials task.', 'causes': []}],
        'resources': [{'resourceId': _uuid('vc/sfo-m01-vc01'), 'type': 'VCENTER', 'fqdn': 'sfo-m01-vc01.rainpole.io',
                       'name': 'sfo-m01-vc01'}],
    },
]

# Deterministic history: (type, name template, resource type) cycled by index.
_HISTORY_KINDS = [
    ('HOST_COMMISSION', 'Commissioning host(s) sfo01-w{d:02d}-esx{n:02d}.rainpole.io to VMware Cloud Foundation', 'ESXI'),
    ('HOST_DECOMMISSION', 'Decommissioning host(s) sfo01-w{d:02d}-esx{n:02d}.rainpole.io from VMware Cloud Foundation', 'ESXI'),
    ('DOMAIN_CREATION', 'Creating workload domain sfo-w{d:02d}', 'DOMAIN'),
    ('CLUSTER_EXPANSION', 'Adding host(s) to cluster sfo-w{d:02d}-cl{n:02d}', 'CLUSTER'),
    ('CERTIFICATE_REPLACEMENT', 'Replace certificates of sfo-w{d:02d}-vc01.rainpole.io', 'VCENTER'),
    ('BUNDLE_DOWNLOAD', 'Download bundle for VMware Cloud Foundation 5.{d}.{n}', 'BUNDLE'),
    ('UPGRADE', 'Upgrade NSX Manager sfo-w{d:02d}-nsx01.rainpole.io', 'NSXT_MANAGER'),
    ('CREDENTIALS_UPDATE', 'Credentials update operation', 'ESXI'),
]
# Real servers mix both spellings within one listing.
_HISTORY_STATUSES = ['Successful', 'SUCCESSFUL', 'Successful', 'Failed', 'Successful', 'Cancelled', 'COMPLETED_WITH_WARNING',
                     'FAILED', 'Successful', 'SUCCESSFUL', 'Successful']


def _iso_ms(epoch_ms):
    """Format epoch milliseconds the way SDDC Manager does: ``2019-06-20T12:03:18.890Z``."""
    seconds, millis = divmod(int(epoch_ms), 1000)
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds)) + '.%03dZ' % millis


def history_tasks(count=HISTORY_COUNT):
    """Return ``count`` deterministic past tasks, one every 7 hours from 2025-01-01, mixed types and statuses."""
    base_ms = 1735689600000  # 2025-01-01T00:00:00Z
    tasks = []
    for i in range(count):
        kind, template, rtype = _HISTORY_KINDS[i % len(_HISTORY_KINDS)]
        status = _HISTORY_STATUSES[i % len(_HISTORY_STATUSES)]
        created_ms = base_ms + i * 7 * 3600 * 1000 + (i * 7919) % 60000
        completed_ms = created_ms + 60000 + (i * 104729) % 1800000
        name = template.format(d=1 + i % 5, n=1 + i % 12)
        failed = status.upper() == 'FAILED'
        entry = {
            'id': _uuid('history/%d' % i),
            'name': name,
            'type': kind,
            'status': status,
            'created': _iso_ms(created_ms),
            'completed': _iso_ms(completed_ms),
            'credentials': kind.startswith('CREDENTIALS_'),
            'outcomes': ['successful'] if failed else [],
            'subtasks': [
                {'name': 'ValidateInputAction', 'description': 'Validate the input specification', 'status': 'SUCCESSFUL'},
                {'name': 'ExecuteOperationAction', 'description': 'Run the operation',
                 'status': 'FAILED' if failed else ('SKIPPED' if status == 'Cancelled' else 'SUCCESSFUL')},
            ],
            'errors': [{'errorCode': 'OPERATION_FAILED', 'errorType': 'ERROR', 'message': 'Operation failed: %s' % name,
                        'causes': []}] if failed else [],
            'resources': [{'resourceId': _uuid('resource/%d' % (i % 40)), 'type': rtype,
                           'name': 'sfo-resource-%02d' % (i % 40)}],
        }
        tasks.append(entry)
    return tasks


def bench_tasks(count=BENCH_COUNT, prefix=BENCH_PREFIX, start=1):
    """Return ``count`` failed, retryable tasks named ``"<prefix> NN"`` that succeed on their first retry."""
    tasks = []
    for i in range(start, start + count):
        tasks.append({
            'id': _uuid('bench/%s/%d' % (prefix, i)),
            'name': '%s %02d' % (prefix, i),
            'type': 'REMEDIATION',
            'status': 'Failed',
            'created': _iso_ms(1772323200000 + i * 60000),  # 2026-03-01 plus one minute each
            'completed': _iso_ms(1772323200000 + i * 60000 + 45000),
            'outcomes': ['successful'],
            'subtasks': [
                {'name': 'RemediateAction', 'description': 'Remediate the configuration drift', 'status': 'FAILED'},
                {'name': 'VerifyAction', 'description': 'Verify the remediation', 'status': 'PENDING'},
            ],
            'errors': [{'errorCode': 'REMEDIATION_FAILED', 'errorType': 'ERROR',
                        'message': 'Remediation %02d failed: transient error' % i, 'causes': []}],
            'resources': [{'resourceId': _uuid('bench-resource/%d' % i), 'type': 'CLUSTER', 'name': 'bench-cl%02d' % i}],
        })
    return tasks


def builtin_entries():
    """Every built-in task entry, in insertion order."""
    return list(BUILTIN_TASKS) + bench_tasks() + history_tasks()
