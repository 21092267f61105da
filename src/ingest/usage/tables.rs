//! Installation and catalogue tables (ConnectedApplication, AppMenuItem,
//! InstalledSubscriberPackage, SetupEntityAccess, PermissionSetAssignment, User): small, kept
//! row by row with ids normalised to 18 characters.

use super::data::{
    AppMenuItemRow, ConnectedApplicationRow, InstalledPackageRow, PermissionSetAssignmentRow,
    SetupEntityAccessRow, SkipReason, Tables, UserRow,
};
use super::fields::{field, RowResult, RowStats};
use super::header::Header;
use super::ids::normalize_id;
use super::kind::UsageKind;
use super::text::present;
use crate::time;

/// Column indexes of the table kinds, resolved once per file.
#[derive(Debug, Default, Clone)]
pub struct TableCols {
    id: Option<usize>,
    name: Option<usize>,
    label: Option<usize>,
    namespace: Option<usize>,
    item_type: Option<usize>,
    admin_approved: Option<usize>,
    admin_authorized: Option<usize>,
    created: Option<usize>,
    application_id: Option<usize>,
    entity_id: Option<usize>,
    entity_type: Option<usize>,
    parent_id: Option<usize>,
    parent_name: Option<usize>,
    profile: Option<usize>,
    assignee: Option<usize>,
    permission_set: Option<usize>,
    group: Option<usize>,
    package_id: Option<usize>,
    package_name: Option<usize>,
    package_ns: Option<usize>,
    version: Option<usize>,
    username: Option<usize>,
    user_type: Option<usize>,
    is_active: Option<usize>,
    license: Option<usize>,
}

impl TableCols {
    /// Resolve from a header. Workbench writes parent prefixes as sObject types
    /// (`PermissionSet.Profile.Name` for `Parent.Profile.Name`), so both are aliases.
    pub fn new(h: &Header) -> TableCols {
        TableCols {
            id: h.find(&["id"]),
            name: h.find(&["name"]),
            label: h.find(&["label", "masterlabel"]),
            namespace: h.find(&["namespaceprefix"]),
            item_type: h.find(&["type"]),
            admin_approved: h.find(&["optionsallowadminapprovedusersonly"]),
            admin_authorized: h.find(&["isusingadminauthorization"]),
            created: h.find(&["createddate"]),
            application_id: h.find(&["applicationid"]),
            entity_id: h.find(&["setupentityid"]),
            entity_type: h.find(&["setupentitytype"]),
            parent_id: h.find(&["parentid"]),
            // The API name first: the plan names permission sets in ECA policies and in
            // `sf org assign permset`, which take API names, not labels.
            parent_name: h.find(&[
                "parentname",
                "permissionsetname",
                "parentlabel",
                "permissionsetlabel",
            ]),
            profile: h.find(&[
                "parentprofilename",
                "permissionsetprofilename",
                "profilename",
            ]),
            assignee: h.find(&["assigneeid"]),
            permission_set: h.find(&["permissionsetid"]),
            group: h.find(&["permissionsetgroupid"]),
            package_id: h.find(&["subscriberpackageid"]),
            package_name: h.find(&["subscriberpackagename"]),
            package_ns: h.find(&["subscriberpackagenamespaceprefix", "namespaceprefix"]),
            version: h.find(&["subscriberpackageversionname"]),
            username: h.find(&["username"]),
            user_type: h.find(&["usertype"]),
            is_active: h.find(&["isactive"]),
            license: h.find(&["profileuserlicensename", "userlicensename"]),
        }
    }
}

/// Read one table row.
pub fn row(
    kind: UsageKind,
    c: &TableCols,
    rec: &(impl super::fields::Fields + ?Sized),
    out: &mut Tables,
    st: &mut RowStats,
) -> RowResult {
    let mut text = |i: Option<usize>| present(&field(rec, i, st)).map(str::to_string);
    let id = |v: Option<String>| v.as_deref().and_then(normalize_id).or(v);
    let flag = |v: Option<String>| v.map(|b| b.eq_ignore_ascii_case("true") || b == "1");
    match kind {
        UsageKind::ConnectedApplication => {
            let row = ConnectedApplicationRow {
                id: id(text(c.id)).ok_or(SkipReason::MissingKey)?,
                name: text(c.name),
                admin_approved_only: flag(text(c.admin_approved)),
                created: text(c.created).and_then(|t| time::parse(&t)).map(|p| p.ts),
            };
            out.connected_applications.push(row);
        }
        UsageKind::AppMenuItem => {
            let row = AppMenuItemRow {
                application_id: id(text(c.application_id)).ok_or(SkipReason::MissingKey)?,
                id: id(text(c.id)),
                name: text(c.name),
                label: text(c.label),
                namespace: text(c.namespace),
                item_type: text(c.item_type),
                admin_authorized: flag(text(c.admin_authorized)),
            };
            out.app_menu_items.push(row);
        }
        UsageKind::InstalledSubscriberPackage => {
            let row = InstalledPackageRow {
                package_id: id(text(c.package_id)),
                name: text(c.package_name),
                namespace: text(c.package_ns),
                version: text(c.version),
            };
            if row.package_id.is_none() && row.namespace.is_none() {
                return Err(SkipReason::MissingKey);
            }
            out.installed_packages.push(row);
        }
        UsageKind::SetupEntityAccess => {
            let row = SetupEntityAccessRow {
                setup_entity_id: id(text(c.entity_id)).ok_or(SkipReason::MissingKey)?,
                setup_entity_type: text(c.entity_type),
                parent_id: id(text(c.parent_id)),
                parent_name: text(c.parent_name),
                profile: text(c.profile),
            };
            out.setup_entity_access.push(row);
        }
        UsageKind::PermissionSetAssignment => {
            let row = PermissionSetAssignmentRow {
                assignee_id: id(text(c.assignee)).ok_or(SkipReason::MissingKey)?,
                permission_set_id: id(text(c.permission_set)),
                permission_set_group_id: id(text(c.group)),
            };
            out.permission_set_assignments.push(row);
        }
        UsageKind::User => {
            let row = UserRow {
                id: id(text(c.id)).ok_or(SkipReason::MissingKey)?,
                username: text(c.username),
                name: text(c.name),
                profile: text(c.profile),
                user_type: text(c.user_type),
                is_active: flag(text(c.is_active)),
                license: text(c.license),
            };
            out.users.push(row);
        }
        _ => return Err(SkipReason::MissingKey),
    }
    Ok(None)
}
