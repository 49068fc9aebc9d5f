//! The handlebars registry: embedded templates plus two helpers that keep the
//! output valid YAML whatever the values contain.
//!
//! - `{{q value}}` writes a scalar as a JSON string/number/bool, which YAML
//!   reads back unchanged (quotes, colons and `#` are safe).
//! - `{{yaml value N}}` writes a nested structure as YAML indented by N spaces.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};

use crate::assets::Templates;

pub fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("q", Box::new(quote));
    hb.register_helper("yaml", Box::new(yaml));
    for name in Templates::iter() {
        if let Some(stem) = name.strip_suffix(".hbs") {
            let text = crate::assets::text::<Templates>(&name);
            hb.register_template_string(stem, text)
                .unwrap_or_else(|e| panic!("template {name} is invalid: {e}"));
        }
    }
    hb
}

fn quote(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let value = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("q", 0))?
        .value();
    let text = serde_json::to_string(value).map_err(RenderErrorReason::SerdeError)?;
    out.write(&text)?;
    Ok(())
}

fn yaml(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let value = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("yaml", 0))?
        .value();
    let indent = h.param(1).and_then(|p| p.value().as_u64()).unwrap_or(0) as usize;
    let text = serde_yaml::to_string(value)
        .map_err(|e| RenderErrorReason::Other(format!("cannot write YAML: {e}")))?;
    let pad = " ".repeat(indent);
    let body: Vec<String> = text
        .trim_end()
        .lines()
        .map(|l| format!("{pad}{l}"))
        .collect();
    out.write(&body.join("\n"))?;
    Ok(())
}
