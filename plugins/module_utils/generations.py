# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which API serves an instance, and which error codes say a resource does not exist: said once.

ApsaraMQ for RocketMQ 4.x instances (``MQ_INST_...``) are served by ONS (``Ons``, 2019-02-14),
5.x instances (``rmq-...``) by ``RocketMQ`` 2022-08-01. This file imports nothing, so that the
modules, the clients and the controller-side gate can all read it.
"""

RMQ_PREFIX = "rmq-"
ONS_PREFIX = "MQ_INST_"
GENERATION_4 = "4.x"
GENERATION_5 = "5.x"
# The 2022-08-01 API says "does not exist" with the code's suffix (Instance.NotFound, ...).
NOT_FOUND_SUFFIXES = (".NotFound", ".NotExisted")


def instance_generation(instance_id):
    """Return ``5.x`` for an instance ID of the 2022-08-01 API (``rmq-...``), ``4.x`` for one of ONS (``MQ_INST_...``), else None."""
    if not isinstance(instance_id, str):
        return None
    if instance_id.startswith(RMQ_PREFIX):
        return GENERATION_5
    if instance_id.startswith(ONS_PREFIX):
        return GENERATION_4
    return None


def is_not_found(code):
    """Tell whether the error ``code`` says the resource does not exist (it ends in ``.NotFound`` or ``.NotExisted``)."""
    return isinstance(code, str) and code.endswith(NOT_FOUND_SUFFIXES)
