//! JS class `ConfigStore`: the config tree (`system.yaml`, `retention.yaml`,
//! `adapters.yaml`, `rules/*`, `workflows/*`) in memory, as objects or as YAML text.

use crate::convert::{from_js, record, string, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::config::{ConfigStore, DefinitionKind};
use neotalk_storage::StorageManager;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// Whose config tree a `ConfigStore` object is.
enum Tree {
    /// A tree of its own, made by the JS constructor.
    Own(Box<ConfigStore>),
    /// The tree of a database (`StorageManager.config()`).
    Database(StorageManager),
}

fn kind(v: JsValue) -> JsResult<DefinitionKind> {
    from_js("kind", v)
}

/// The config tree in memory. `new ConfigStore(files?)` makes a tree of its own;
/// `StorageManager.config()` is the database's (it starts empty: every file reads as its
/// defaults).
#[wasm_bindgen(js_name = ConfigStore)]
pub struct JsConfigStore {
    tree: Tree,
}

impl JsConfigStore {
    /// The tree of database `db`.
    pub(crate) fn of(db: StorageManager) -> Self {
        JsConfigStore { tree: Tree::Database(db) }
    }

    fn store(&self) -> &ConfigStore {
        match &self.tree {
            Tree::Own(s) => s,
            Tree::Database(db) => db.config(),
        }
    }
}

#[wasm_bindgen(js_class = ConfigStore)]
impl JsConfigStore {
    /// A tree holding `files` (relative path -> text: `"system.yaml"`, `"retention.yaml"`,
    /// `"adapters.yaml"`, `"rules/<name>"`, `"workflows/<name>"`); empty when left out.
    /// Paths are checked here (`INVALID_INPUT` on `config path`), contents when read.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "Record<string, string> | undefined")] files: JsValue) -> JsResult<JsConfigStore> {
        let files: BTreeMap<String, String> =
            if files.is_undefined() || files.is_null() { BTreeMap::new() } else { from_js("files", files)? };
        let store = ConfigStore::from_strings(files.iter().map(|(k, v)| (k.as_str(), v.as_str()))).js()?;
        Ok(JsConfigStore { tree: Tree::Own(Box::new(store)) })
    }

    /// `system.yaml` with defaults for what is missing. An invalid file is `INVALID_INPUT`
    /// on `config`, its message `file:line:column: field: reason`.
    #[wasm_bindgen(unchecked_return_type = "SystemConfig")]
    pub fn system(&self) -> JsResult<JsValue> {
        to_js(&self.store().system().js()?)
    }

    /// `retention.yaml` (the `retention:` section) with defaults for what is missing.
    #[wasm_bindgen(unchecked_return_type = "RetentionConfig")]
    pub fn retention(&self) -> JsResult<JsValue> {
        to_js(&self.store().retention().js()?)
    }

    /// `adapters.yaml`: adapter name -> its settings (empty when missing).
    #[wasm_bindgen(unchecked_return_type = "Record<string, unknown>")]
    pub fn adapters(&self) -> JsResult<JsValue> {
        to_js(&self.store().adapters().js()?)
    }

    /// Saves `system.yaml`. Fields left out take their defaults; unknown fields and values
    /// the loader refuses (port 0, 0 days, ...) are `INVALID_INPUT`.
    #[wasm_bindgen(js_name = setSystem)]
    pub fn set_system(&self, #[wasm_bindgen(unchecked_param_type = "SystemInput")] config: JsValue) -> JsResult<()> {
        self.store().save_system(&record("system", config)?).js()
    }

    /// Saves `retention.yaml` (fields left out take their defaults).
    #[wasm_bindgen(js_name = setRetention)]
    pub fn set_retention(&self, #[wasm_bindgen(unchecked_param_type = "RetentionInput")] config: JsValue) -> JsResult<()> {
        self.store().save_retention(&record("retention", config)?).js()
    }

    /// Saves `adapters.yaml`.
    #[wasm_bindgen(js_name = setAdapters)]
    pub fn set_adapters(&self, #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] config: JsValue) -> JsResult<()> {
        self.store().save_adapters(&record("adapters", config)?).js()
    }

    /// The YAML text of `file` (`"system.yaml"`, `"retention.yaml"` or `"adapters.yaml"`)
    /// as the tree holds it now, defaults filled in.
    pub fn yaml(&self, #[wasm_bindgen(unchecked_param_type = "ConfigFile")] file: JsValue) -> JsResult<String> {
        self.store().yaml(&string("file", &file)?).js()
    }

    /// Validates YAML `text` as `file` and saves it. A bad value is `INVALID_INPUT` on
    /// `config` naming the file, line, column and field; the tree is then unchanged.
    #[wasm_bindgen(js_name = setYaml)]
    pub fn set_yaml(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConfigFile")] file: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> JsResult<()> {
        self.store().save_yaml(&string("file", &file)?, &string("text", &text)?).js()
    }

    /// Every problem of the three YAML files (`{ file, line, column, field, message }`),
    /// empty when all are valid.
    #[wasm_bindgen(unchecked_return_type = "ConfigError[]")]
    pub fn check(&self) -> JsResult<JsValue> {
        to_js(&self.store().check().js()?)
    }

    /// Writes each of the three YAML files that does not exist yet with its defaults;
    /// returns the files written.
    #[wasm_bindgen(js_name = writeDefaults, unchecked_return_type = "string[]")]
    pub fn write_defaults(&self) -> JsResult<JsValue> {
        to_js(&self.store().write_defaults().js()?)
    }

    /// Names of the definition files of `kind` (`"Rule"` or `"Workflow"`), sorted.
    #[wasm_bindgen(js_name = definitionNames, unchecked_return_type = "string[]")]
    pub fn definition_names(&self, #[wasm_bindgen(unchecked_param_type = "DefinitionKind")] kind_arg: JsValue) -> JsResult<JsValue> {
        to_js(&self.store().definition_names(kind(kind_arg)?).js()?)
    }

    /// One definition file `{ name, kind, text }`; `NOT_FOUND` when there is none.
    #[wasm_bindgen(unchecked_return_type = "Definition")]
    pub fn definition(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DefinitionKind")] kind_arg: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> JsResult<JsValue> {
        let kind = kind(kind_arg)?;
        to_js(&self.store().definition(kind, &string("name", &name)?).js()?)
    }

    /// Every definition file of `kind`, sorted by name.
    #[wasm_bindgen(unchecked_return_type = "Definition[]")]
    pub fn definitions(&self, #[wasm_bindgen(unchecked_param_type = "DefinitionKind")] kind_arg: JsValue) -> JsResult<JsValue> {
        to_js(&self.store().definitions(kind(kind_arg)?).js()?)
    }

    /// Saves a definition file (created or replaced). A name that is not a plain file name
    /// of `[A-Za-z0-9._-]` is `INVALID_INPUT`.
    #[wasm_bindgen(js_name = saveDefinition)]
    pub fn save_definition(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DefinitionKind")] kind_arg: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> JsResult<()> {
        let kind = kind(kind_arg)?;
        self.store().save_definition(kind, &string("name", &name)?, &string("text", &text)?).js()
    }
}
