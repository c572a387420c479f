//! The core's enums that are call arguments, as uniffi enums (one variant per core variant).
//! Inside JSON records the same enums appear as the core's serde names (`"Warning"`). Also
//! [`ExecutionResult`], the outcome of a rule execution or an executed decision.

use crate::error::Result;
use crate::mirror::{mirror_by_from, Mirror};
use neotalk_storage as core;

/// Generates a uniffi enum mirroring a core enum and the conversions both ways.
macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident => $core:path { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => <$core>::$variant,)+ }
            }
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                match v { $(<$core>::$variant => $name::$variant,)+ }
            }
        }

        mirror_by_from!($name => $core);
    };
}

mirror_enum! {
    /// Alert severity, lowest first.
    AlertSeverity => core::AlertSeverity {
        /// Informational.
        Info,
        /// Needs attention.
        Warning,
        /// Something failed.
        Error,
        /// Needs immediate action.
        Critical,
    }
}

mirror_enum! {
    /// State of an LLM decision.
    DecisionStatus => core::DecisionStatus {
        /// Waiting for a user's answer.
        Proposed,
        /// Approved by a user.
        Approved,
        /// Rejected by a user.
        Rejected,
        /// Executed without asking.
        AutoExecuted,
        /// No answer in time.
        Expired,
    }
}

mirror_enum! {
    /// State of a workflow run or step.
    ExecutionStatus => core::ExecutionStatus {
        /// Started, not finished.
        Running,
        /// Finished successfully.
        Completed,
        /// Finished with an error.
        Failed,
        /// Stopped before finishing.
        Cancelled,
    }
}

mirror_enum! {
    /// Kind of a long-term memory.
    MemoryType => core::MemoryType {
        /// About a device.
        DeviceKnowledge,
        /// A user's preference.
        UserPreference,
        /// About the system.
        SystemKnowledge,
        /// Something that happened.
        HistoricalEvent,
        /// Why a rule exists or fired.
        RuleExplanation,
        /// Anything else.
        Other,
    }
}

mirror_enum! {
    /// How vectors of a collection are compared; a higher score is more similar.
    DistanceMetric => core::DistanceMetric {
        /// Cosine similarity (zero-length vectors are refused).
        Cosine,
        /// Euclidean distance; the score is its negation.
        Euclidean,
        /// Dot product.
        DotProduct,
    }
}

/// Outcome of a rule execution or of an executed decision.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ExecutionResult {
    /// Every action succeeded.
    Success,
    /// Some actions failed.
    PartialSuccess {
        /// The actions that failed.
        failed_actions: Vec<String>,
    },
    /// The execution failed.
    Failed {
        /// Why.
        error: String,
    },
}

impl Mirror<core::ExecutionResult> for ExecutionResult {
    fn from_core(core: core::ExecutionResult) -> Self {
        match core {
            core::ExecutionResult::Success => ExecutionResult::Success,
            core::ExecutionResult::PartialSuccess { failed_actions } => ExecutionResult::PartialSuccess { failed_actions },
            core::ExecutionResult::Failed { error } => ExecutionResult::Failed { error },
        }
    }
    fn into_core(self, _field: &'static str) -> Result<core::ExecutionResult> {
        Ok(match self {
            ExecutionResult::Success => core::ExecutionResult::Success,
            ExecutionResult::PartialSuccess { failed_actions } => core::ExecutionResult::PartialSuccess { failed_actions },
            ExecutionResult::Failed { error } => core::ExecutionResult::Failed { error },
        })
    }
}

mirror_enum! {
    /// Data type of a metric or command parameter in a device-type description.
    MdlDataType => core::MdlDataType {
        /// Floating-point number.
        Float,
        /// Whole number.
        Integer,
        /// Text.
        String,
        /// Flag.
        Boolean,
    }
}
