//! `GET /api/search`: filters by title, tag, type, dashboard and folder uids, then
//! sorts and pages the hits the way Grafana's legacy search does.

use serde_json::{json, Value};

use super::{Dashboard, Folder, Store};

/// Which kind of hit to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Dashboard,
    Folder,
}

/// The parsed query string of a search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub query: String,
    pub tags: Vec<String>,
    pub kind: Option<HitKind>,
    pub dashboard_uids: Vec<String>,
    pub dashboard_ids: Vec<i64>,
    pub folder_uids: Vec<String>,
    pub folder_ids: Vec<i64>,
    pub starred: bool,
    pub limit: usize,
    pub page: usize,
    pub sort_desc: Option<bool>,
}

struct Hit {
    kind: HitKind,
    title: String,
    json: Value,
}

fn folder_matches(
    wanted_uids: &[String],
    wanted_ids: &[i64],
    parent_uid: &str,
    parent_id: i64,
) -> bool {
    if wanted_uids.is_empty() && wanted_ids.is_empty() {
        return true;
    }
    let root = parent_uid.is_empty();
    wanted_uids
        .iter()
        .any(|w| (root && (w.is_empty() || w == "general")) || w == parent_uid)
        || wanted_ids.contains(&parent_id)
}

impl Store {
    fn parent_fields(&self, parent_uid: &str, hit: &mut Value) -> i64 {
        if let Some(parent) = self.folders.get(parent_uid) {
            hit["folderId"] = json!(parent.id);
            hit["folderUid"] = json!(parent.uid);
            hit["folderTitle"] = json!(parent.title);
            hit["folderUrl"] = json!(parent.url());
            parent.id
        } else {
            0
        }
    }

    fn dashboard_hit(&self, d: &Dashboard) -> (i64, Value) {
        let mut tags = d.tags();
        tags.sort();
        let mut hit = json!({
            "id": d.id, "uid": d.uid, "orgId": 1, "title": d.title,
            "uri": format!("db/{}", d.slug), "url": d.url(), "slug": d.slug,
            "type": "dash-db", "tags": tags, "isStarred": false,
            "sortMeta": 0, "isDeleted": false,
        });
        let parent_id = self.parent_fields(&d.folder_uid, &mut hit);
        (parent_id, hit)
    }

    fn folder_hit(&self, f: &Folder) -> (i64, Value) {
        let mut hit = json!({
            "id": f.id, "uid": f.uid, "orgId": 1, "title": f.title,
            "uri": format!("db/{}", f.slug()), "url": f.url(), "slug": f.slug(),
            "type": "dash-folder", "tags": [], "isStarred": false,
            "sortMeta": 0, "isDeleted": false,
        });
        let parent_id = self.parent_fields(&f.parent_uid, &mut hit);
        (parent_id, hit)
    }

    pub fn search(&self, q: &SearchQuery) -> Vec<Value> {
        if q.starred {
            return Vec::new();
        }
        let needle = q.query.to_lowercase();
        let uid_ok = |uid: &str, id: i64| {
            (q.dashboard_uids.is_empty() && q.dashboard_ids.is_empty())
                || q.dashboard_uids.iter().any(|u| u == uid)
                || q.dashboard_ids.contains(&id)
        };
        let mut hits = Vec::new();
        if q.kind != Some(HitKind::Folder) {
            for d in self.dashboards.values() {
                let tags = d.tags();
                let (parent_id, json) = self.dashboard_hit(d);
                if d.title.to_lowercase().contains(&needle)
                    && q.tags.iter().all(|t| tags.contains(t))
                    && uid_ok(&d.uid, d.id)
                    && folder_matches(&q.folder_uids, &q.folder_ids, &d.folder_uid, parent_id)
                {
                    hits.push(Hit {
                        kind: HitKind::Dashboard,
                        title: d.title.clone(),
                        json,
                    });
                }
            }
        }
        if q.kind != Some(HitKind::Dashboard) && q.tags.is_empty() {
            for f in self.folders.values() {
                let (parent_id, json) = self.folder_hit(f);
                if f.title.to_lowercase().contains(&needle)
                    && uid_ok(&f.uid, f.id)
                    && folder_matches(&q.folder_uids, &q.folder_ids, &f.parent_uid, parent_id)
                {
                    hits.push(Hit {
                        kind: HitKind::Folder,
                        title: f.title.clone(),
                        json,
                    });
                }
            }
        }
        // The store orders by title and pages; without an explicit sort the page is
        // then re-sorted with folders first.
        hits.sort_by_key(|h| h.title.to_lowercase());
        if q.sort_desc == Some(true) {
            hits.reverse();
        }
        let mut page: Vec<Hit> = hits
            .into_iter()
            .skip(q.limit * q.page.saturating_sub(1))
            .take(q.limit)
            .collect();
        if q.sort_desc.is_none() {
            page.sort_by_key(|h| (h.kind != HitKind::Folder, h.title.to_lowercase()));
        }
        page.into_iter().map(|h| h.json).collect()
    }

    /// `GET /api/dashboards/tags`: every tag with its count, by term.
    pub fn tag_counts(&self) -> Vec<Value> {
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for d in self.dashboards.values() {
            for t in d.tags() {
                *counts.entry(t).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .map(|(term, count)| json!({ "term": term, "count": count }))
            .collect()
    }
}
