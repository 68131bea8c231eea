# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The base of the ``rmq_*`` modules: the RocketMQ 2022-08-01 API (5.x instances), its client and listings."""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import rmq_queries
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import ApiError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import RMQ_ARGUMENT_SPEC, ApiModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_client import connect_rmq


class RmqModule(ApiModule):
    """The base of the ``rmq_*`` modules: RMQ_ARGUMENT_SPEC and an RmqClient (rmq_client.connect_rmq).

    An instance ID of ONS (``MQ_INST_...``) fails the module at once, naming the ``ons_*`` module
    to use instead.
    """

    connection_spec = RMQ_ARGUMENT_SPEC
    _name_rule = staticmethod(rmq_queries.check_name)
    _connect = staticmethod(connect_rmq)

    def exit_with_consumer_groups(self):
        """Exit with the consumer groups of the option instance_id: listed, or those of group_id or group_ids.

        Without group_id and group_ids, every group of the instance (option ``filter``, see
        rmq_queries.list_consumer_groups); else the settings of each group, as exit_with_groups
        does (see rmq_queries.get_consumer_group).
        """
        instance_id = self.check_name("instance_id", self.params["instance_id"], "instance")
        if self.params["group_id"] is None and self.params["group_ids"] is None:
            result = {"groups": []}
            try:
                result = rmq_queries.list_consumer_groups(self.client, instance_id, self.params["filter"])
            except ApiError as exc:
                self.fail_api("list the consumer groups of instance %s" % instance_id, exc)
            # One listing: nothing to keep going after, so an entry never carries an error.
            for entry in result["groups"]:
                entry["error"] = None
            self.exit_json(**result)
        if self.params["filter"] is not None:
            self.fail_json(msg="filter applies only to the list of groups: leave out group_id and group_ids to use it")
        self.exit_with_groups("get the settings", rmq_queries.get_consumer_group, rmq_queries.group_entry)

    def exit_with_instances(self):
        """Exit with the 5.x instances of the region, or those of the option instance_id or instance_ids.

        Without instance_id and instance_ids, the list of the region (options ``filter``,
        ``series_codes`` and ``tags``, see rmq_queries.list_instances); else the facts of each
        instance, as exit_with_groups does for groups (see rmq_queries.get_instance).
        """
        if self.params["instance_id"] is None and self.params["instance_ids"] is None:
            # Checked here, naming the option, before any credentials are looked up.
            self.tag_params("tags")
            result = {"instances": []}
            try:
                result = rmq_queries.list_instances(self.client, self.params["filter"], self.params["series_codes"],
                                                    self.params["tags"])
            except ValueError as exc:
                self.fail_json(msg=str(exc))
            except ApiError as exc:
                self.fail_api("list the instances", exc)
            for entry in result["instances"]:
                entry["error"] = None
            self.exit_json(**result)
        for option in ("filter", "series_codes", "tags"):
            if self.params[option]:
                self.fail_json(msg="%s applies only to the list of instances: leave out instance_id and instance_ids "
                                   "to use it" % option)
        instance_ids = self.one_or_many("instance_id", "instance_ids", "instance")
        client = self.client
        instances = self.query_each(lambda instance_id: rmq_queries.get_instance(client, instance_id), instance_ids,
                                    lambda instance_id: "get instance %s" % instance_id, rmq_queries.instance_entry)
        self.exit_entries("instances", instances, "instance_id")
