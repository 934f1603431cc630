# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The baseline for the ad hoc wall-time benchmark: the least a module can do, one boto3 Get and nothing else."""

from __future__ import annotations

import boto3
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={"function_name": {"type": "str", "required": True}, "endpoint_url": {"type": "str"}}
    )
    client = boto3.client("lambda", endpoint_url=module.params["endpoint_url"])
    try:
        config = client.get_function_event_invoke_config(FunctionName=module.params["function_name"])
    except client.exceptions.ResourceNotFoundException:
        config = {}
    module.exit_json(changed=False, found=bool(config))


if __name__ == "__main__":
    main()
