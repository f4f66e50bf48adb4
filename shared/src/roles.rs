//! Roles and the permissions they carry. The core enforces these; the UI only
//! mirrors them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Cashier,
    Manager,
}

/// Actions a cashier may not do alone; a manager's PIN approves them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    VoidLine,
    DiscountAboveLimit,
    PriceOverride,
    ReturnWithoutReceipt,
    NoSaleDrawer,
    CashInOut,
    ZReport,
    ManageUsers,
    AdjustStock,
    /// Refund to another tender than the receipt was paid with.
    RefundToOtherTender,
    /// Pay a refund in cash above the store's limit.
    CashRefundAboveLimit,
    /// Change the store's settings (limits, tax mode).
    ChangeSettings,
    /// Type a weight when the till has a scale (it is the scale's to give).
    ManualWeight,
    /// Switch the till's training mode on or off.
    TrainingMode,
}

impl Permission {
    pub fn describe(self) -> &'static str {
        match self {
            Permission::VoidLine => "void a line",
            Permission::DiscountAboveLimit => "give a discount above the limit",
            Permission::PriceOverride => "override a price",
            Permission::ReturnWithoutReceipt => "take a return without a receipt",
            Permission::NoSaleDrawer => "open the drawer without a sale",
            Permission::CashInOut => "pay cash in or out",
            Permission::ZReport => "close the day with a Z report",
            Permission::ManageUsers => "manage users",
            Permission::AdjustStock => "adjust stock or close a stock count",
            Permission::RefundToOtherTender => "refund to another tender than the customer paid with",
            Permission::CashRefundAboveLimit => "refund this much in cash",
            Permission::ChangeSettings => "change the store's settings",
            Permission::ManualWeight => "type a weight instead of the scale's",
            Permission::TrainingMode => "switch training mode on or off",
        }
    }
}

impl Role {
    pub fn allows(self, _permission: Permission) -> bool {
        match self {
            Role::Manager => true,
            Role::Cashier => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cashier" => Ok(Role::Cashier),
            "manager" => Ok(Role::Manager),
            other => Err(format!("role “{other}” must be cashier or manager")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cashier_needs_a_manager_for_sensitive_actions() {
        use Permission::*;
        for p in [
            VoidLine,
            DiscountAboveLimit,
            PriceOverride,
            ReturnWithoutReceipt,
            NoSaleDrawer,
            CashInOut,
            ZReport,
            ManageUsers,
            ManualWeight,
            TrainingMode,
        ] {
            assert!(!Role::Cashier.allows(p), "{p:?}");
            assert!(Role::Manager.allows(p), "{p:?}");
        }
    }
}
