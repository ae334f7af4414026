//! The last steps: resources of kinds vpcsim does not model, and the
//! scenario's description.

use super::*;

impl Cx<'_> {
    pub(super) fn unsupported_files(&mut self) {
        let list: Vec<(&str, &str)> = self.input.unsupported.clone();
        for (what, id) in list {
            // A route to it may have said so already, at more length.
            if !self.notes.0.contains_key(&(Unsupported, id.to_string())) {
                self.notes.add(Unsupported, id, what);
            }
        }
    }

    pub(super) fn describe(&mut self) {
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        self.scenario.description = format!(
            "Imported from AWS describe output: {}, {}, {}.",
            n(self.scenario.vpcs.len(), "VPC", "VPCs"),
            n(self.scenario.subnets.len(), "subnet", "subnets"),
            n(self.scenario.instances.len(), "instance", "instances"),
        );
    }
}
