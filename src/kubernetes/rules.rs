//! PrometheusRules: one per rule file the Docker render writes (each pack,
//! the inline alerts, each of the user's files), holding the same rule
//! groups, thresholds and `for` overrides applied, as `spec.groups`.

use serde_json::{json, Map};

use super::names::resource_name;
use super::{Meta, Out};
use crate::error::Error;
use crate::model::RulesContent;
use crate::rulefile::RuleFile;

pub(super) fn add(out: &mut Out) -> Result<(), Error> {
    for rules in &out.model.rules {
        let groups = match &rules.content {
            RulesContent::Generated(file) => file.groups.clone(),
            // Validated as a rule file while the model was built.
            RulesContent::Verbatim(text) => {
                serde_yaml::from_str::<RuleFile>(text)
                    .map_err(|e| Error::Render {
                        template: format!("rule file {}", rules.file),
                        reason: e.to_string(),
                    })?
                    .groups
            }
        };
        let stem = rules
            .file
            .trim_end_matches(".yml")
            .trim_end_matches(".yaml")
            .trim_end_matches(".rules")
            .replace('/', "-");
        let name = resource_name(&[&out.model.name, &stem]);
        let mut body = Map::new();
        body.insert("spec".into(), json!({ "groups": groups }));
        let mut meta = Meta::default();
        meta.annotations
            .insert("obsctl.dev/rule-file".into(), json!(rules.file));
        out.add(
            "PrometheusRule",
            "monitoring.coreos.com/v1",
            name,
            meta,
            body,
        );
    }
    Ok(())
}
