# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The base of the ``ons_*`` modules: the ONS API (4.x instances), its client and listings."""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import connect
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import ApiError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import ONS_ARGUMENT_SPEC, ApiModule, query_concurrently
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import (
    check_name as check_ons_name,
    describe_instances,
    instance_entry,
    list_groups,
    list_instances,
)


class OnsModule(ApiModule):
    """The base of the ``ons_*`` modules: ONS_ARGUMENT_SPEC, an OnsClient, and the ONS listings."""

    connection_spec = ONS_ARGUMENT_SPEC
    _name_rule = staticmethod(check_ons_name)
    _connect = staticmethod(connect)

    def exit_with_group_list(self):
        """Exit with the groups of the options instance_id, group_id, group_type and tags (see ons_queries.list_groups).

        A failed listing fails the module with ``Failed to list the <type> groups of instance <id>: ...``.
        """
        instance_id = self.check_name("instance_id", self.params["instance_id"], "instance")
        group_id = self.params["group_id"]
        if group_id is not None:
            self.check_name("group_id", group_id, "group")
        # Checked here, naming the option, before any credentials are looked up.
        self.tag_params("tags")
        result = {}
        try:
            result = list_groups(self.client, instance_id, group_id, self.params["group_type"], self.params["tags"],
                                 concurrently=query_concurrently)
        except ApiError as exc:
            self.fail_api("list the %s groups of instance %s" % (exc.group_type, instance_id), exc)
        self.exit_json(**result)

    def exit_with_instances(self):
        """Exit with the instances of the region, or those of the option instance_id or instance_ids.

        Without instance_id and instance_ids, the list of the region (options tags and
        need_resource_info, see ons_queries.list_instances); else the base info of each instance,
        as exit_with_groups does for groups (see ons_queries.describe_instances).
        """
        if self.params["instance_id"] is None and self.params["instance_ids"] is None:
            # Checked here, naming the option, before any credentials are looked up.
            self.tag_params("tags")
            result = {"instances": []}
            try:
                result = list_instances(self.client, self.params["tags"], self.params["need_resource_info"])
            except ApiError as exc:
                self.fail_api("list the instances", exc)
            # One call: nothing to keep going after, so an entry never carries an error.
            for entry in result["instances"]:
                entry["error"] = None
            self.exit_json(**result)
        else:
            for option in ("tags", "need_resource_info"):
                if self.params[option]:
                    self.fail_json(msg="%s applies only to the list of instances: leave out instance_id and instance_ids "
                                       "to use it" % option)
            instance_ids = self.one_or_many("instance_id", "instance_ids", "instance")
            outcomes = describe_instances(self.client, instance_ids, concurrently=query_concurrently)
            instances = self.entries_of(instance_ids, outcomes,
                                        lambda instance_id: "get the base info of instance %s" % instance_id, instance_entry)
            self.exit_entries("instances", instances, "instance_id")
