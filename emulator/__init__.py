# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local emulator of the ApsaraMQ for RocketMQ management APIs: ONS 2019-02-14 (4.x
instances) and, on the same port, RocketMQ 2022-08-01 (5.x instances, see
:mod:`emulator.rocketmq5`).

It verifies V3 (ACS3-HMAC-SHA256) and V1 (HMAC-SHA1) signatures, answers the read
operations a consumer-health gate uses from a YAML scenario, and injects the failures
a gate has to survive (throttling, 5xx storms, dropped connections, broken bodies).

Run it with ``python -m emulator --scenario FILE``; tests use :func:`emulator.server.start`.
Standard library and PyYAML only.
"""

__version__ = '0.2.0'

PRODUCT = 'Ons'
API_VERSION = '2019-02-14'
