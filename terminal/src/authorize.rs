//! Permissions enforced in the core: an action a user's role does not allow
//! goes ahead only with the PIN of someone whose role does, and that
//! approval is journaled with the action.

use pos_shared::journal::Event;
use pos_shared::roles::Permission;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};
use crate::users::Credentials;
use crate::{Operator, Terminal};

/// A manager's approval of something the acting user may not do alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub permission: Permission,
    pub user: String,
    pub approver: String,
    pub detail: String,
}

impl Approval {
    pub fn event(&self) -> Event {
        Event::Override {
            permission: self.permission,
            user: self.user.clone(),
            approver: self.approver.clone(),
            detail: self.detail.clone(),
        }
    }
}

impl Terminal {
    /// `Ok(None)` when `actor` may do it alone, `Ok(Some(approval))` when
    /// `approver` names someone who may, with their PIN (one argon2 check);
    /// otherwise a clear refusal.
    pub fn authorize(
        &mut self,
        actor: &Operator,
        permission: Permission,
        approver: Option<&Credentials>,
        detail: impl Into<String>,
    ) -> CoreResult<Option<Approval>> {
        if actor.role.allows(permission) {
            return Ok(None);
        }
        let Some(credentials) = approver else {
            return Err(CoreError::PermissionDenied { user: actor.name.clone(), action: permission.describe() });
        };
        let approver = self.login(&credentials.user, &credentials.pin)?;
        if !approver.role.allows(permission) {
            return Err(CoreError::ApproverNotAllowed { approver: approver.name, action: permission.describe() });
        }
        Ok(Some(Approval { permission, user: actor.name.clone(), approver: approver.name, detail: detail.into() }))
    }

    /// [`Terminal::authorize`] for what is journaled whoever does it (a
    /// voided line, a price changed by hand): the approval, or the actor's
    /// own when they may do it alone.
    pub fn audited(
        &mut self,
        actor: &Operator,
        permission: Permission,
        approver: Option<&Credentials>,
        detail: impl Into<String>,
    ) -> CoreResult<Approval> {
        let detail = detail.into();
        Ok(self.authorize(actor, permission, approver, detail.clone())?.unwrap_or_else(|| Approval {
            permission,
            user: actor.name.clone(),
            approver: actor.name.clone(),
            detail,
        }))
    }
}
