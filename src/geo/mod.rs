//! Location: region and cercle assignment by point-in-polygon, the gazetteer, the
//! server-drawn map, and the reference tables they fill. The boundary files come from the
//! folder `boundaries_dir` names (default `resources/mali`, with its licence and attribution).

mod boundaries;
mod gazetteer;
pub mod map;
pub mod model;
mod routes;

use std::path::Path;

pub use boundaries::{Assignment, Boundaries, Cercle, Region};
pub use gazetteer::{normalize, Gazetteer, Place};
pub use routes::{routes, PlaceJson};

/// Everything about places, loaded once at start and shared read-only.
pub struct Geo {
    pub boundaries: Boundaries,
    pub gazetteer: Gazetteer,
    pub map: map::MapSvg,
    /// Pairs of cercles that share a border, computed on first use.
    adjacency: std::sync::OnceLock<std::collections::HashSet<(String, String)>>,
}

impl std::fmt::Debug for Geo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Geo({:?}, {:?})", self.boundaries, self.gazetteer)
    }
}

impl Geo {
    pub fn load(dir: &Path) -> Result<Geo, String> {
        Ok(Geo {
            boundaries: Boundaries::load(dir)?,
            gazetteer: Gazetteer::load(&dir.join("places.csv"))?,
            map: map::render(&dir.join("regions_display.geojson"))?,
            adjacency: std::sync::OnceLock::new(),
        })
    }

    /// The map with a marker at a point, for staff pages (inline SVG, drawn here).
    pub fn map_with_marker(&self, lat: f64, lon: f64) -> String {
        let (x, y) = self.map.projection.to_px(lon, lat);
        let marker = format!(
            "<circle cx=\"{:.0}\" cy=\"{:.0}\" r=\"9\" fill=\"#c0392b\" stroke=\"#fff\" stroke-width=\"3\"/></svg>",
            x * 2.0,
            y * 2.0
        );
        self.map.svg.replacen("</svg>", &marker, 1)
    }

    /// A cercle and the cercles that share a border with it.
    pub fn with_neighbours(&self, code: &str) -> Vec<String> {
        let mut out = vec![code.to_string()];
        out.extend(
            self.boundaries.cercles.iter().filter(|c| self.adjacent(code, &c.code)).map(|c| c.code.clone()),
        );
        out
    }

    /// The cercles where duplicate candidates of an incident are looked for: its cercle and
    /// its neighbours (for candidates known by cercle only), and, when it has a point, every
    /// cercle that may hold a point within `km` of it, whatever the distance configured.
    pub fn candidate_cercles(&self, cercle: Option<&str>, point: Option<(f64, f64)>, km: f64) -> Vec<String> {
        let mut out = cercle.map(|c| self.with_neighbours(c)).unwrap_or_default();
        if let Some((lat, lon)) = point {
            out.extend(self.boundaries.cercles_near(lat, lon, km));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether two cercles share a border.
    pub fn adjacent(&self, a: &str, b: &str) -> bool {
        self.adjacency
            .get_or_init(|| self.boundaries.adjacent_pairs())
            .contains(&(a.to_string(), b.to_string()))
    }

    pub fn region_name(&self, code: &str, lang: &str) -> Option<String> {
        self.boundaries.region(code).map(|r| if lang == "en" { r.name_en.clone() } else { r.name.clone() })
    }

    pub fn cercle_name(&self, code: &str) -> Option<String> {
        self.boundaries.cercle(code).map(|c| c.name.clone())
    }
}
