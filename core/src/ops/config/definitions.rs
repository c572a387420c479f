//! Rule and workflow definition files (`config/rules/`, `config/workflows/`).
//!
//! Storage keeps them as text; the rule and workflow engines interpret them.

use serde::{Deserialize, Serialize};

/// Which folder a definition lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DefinitionKind {
    /// `config/rules/`.
    Rule,
    /// `config/workflows/`.
    Workflow,
}

impl DefinitionKind {
    /// The folder under the config directory.
    pub fn folder(self) -> &'static str {
        match self {
            DefinitionKind::Rule => "rules",
            DefinitionKind::Workflow => "workflows",
        }
    }
}

/// One definition file, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    /// File name inside its folder (`temperature_alerts.rule`).
    pub name: String,
    /// Rule or workflow.
    pub kind: DefinitionKind,
    /// The file's contents.
    pub text: String,
}

/// Checks a definition file name: a plain file name of `[A-Za-z0-9._-]`, no path, not hidden.
pub(crate) fn check_name(name: &str) -> crate::error::Result<()> {
    crate::limits::check_id("definition name", name)?;
    if name.starts_with('.') || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
        return Err(crate::error::StorageError::invalid(
            "definition name",
            format!("{name:?} must be a file name of letters, digits, '.', '_' and '-', not starting with '.'"),
        ));
    }
    Ok(())
}
