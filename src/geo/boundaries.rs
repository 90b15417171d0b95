//! Region and cercle assignment by point-in-polygon over the shipped boundaries, with an
//! R-tree over the polygons' bounding boxes. Free of web and database types.
//!
//! The files are read from a folder given in the configuration, so a newer official file
//! with the same properties (`id`, `name`, `name_en`, `hasc` for regions; `id`, `name`,
//! `region_id` for cercles) can replace them without a code change.

use std::path::Path;

use geo::{BoundingRect, Distance, Euclidean, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// Points this far outside every unit (GPS fixes on a border river, say) still get the nearest
/// unit; farther, the point is outside Mali.
pub const BORDER_TOLERANCE_KM: f64 = 5.0;

#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub hasc: String,
    pub label: Option<(f64, f64)>,
    pub shape: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub struct Cercle {
    pub code: String,
    pub name: String,
    pub region_code: String,
    pub shape: MultiPolygon<f64>,
}

/// Where a point falls.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub region_code: String,
    pub cercle_code: String,
    /// True when the point was outside every polygon but within the border tolerance.
    pub snapped: bool,
}

pub struct Boundaries {
    pub regions: Vec<Region>,
    pub cercles: Vec<Cercle>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl std::fmt::Debug for Boundaries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Boundaries({} regions, {} cercles)", self.regions.len(), self.cercles.len())
    }
}

fn features(path: &Path) -> Result<Vec<geojson::Feature>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let gj: geojson::GeoJson = text.parse().map_err(|e| format!("{}: not GeoJSON: {e}", path.display()))?;
    match gj {
        geojson::GeoJson::FeatureCollection(fc) => Ok(fc.features),
        _ => Err(format!("{}: expected a FeatureCollection", path.display())),
    }
}

fn prop(f: &geojson::Feature, key: &str, file: &str) -> Result<String, String> {
    f.property(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("{file}: a feature lacks the property `{key}`"))
}

fn shape(f: &geojson::Feature, file: &str) -> Result<MultiPolygon<f64>, String> {
    let g = f.geometry.as_ref().ok_or_else(|| format!("{file}: a feature has no geometry"))?;
    let g: geo::Geometry<f64> = g.clone().try_into().map_err(|e| format!("{file}: {e}"))?;
    match g {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(m) => Ok(m),
        _ => Err(format!("{file}: a feature is not a polygon")),
    }
}

fn label(f: &geojson::Feature) -> Option<(f64, f64)> {
    let a = f.property("label")?.as_array()?;
    Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
}

impl Boundaries {
    /// Loads `regions.geojson` and `cercles.geojson` from `dir`.
    pub fn load(dir: &Path) -> Result<Boundaries, String> {
        let mut regions = vec![];
        for f in features(&dir.join("regions.geojson"))? {
            let code = prop(&f, "id", "regions.geojson")?;
            regions.push(Region {
                name: prop(&f, "name", "regions.geojson")?,
                name_en: prop(&f, "name_en", "regions.geojson").unwrap_or_else(|_| code.clone()),
                hasc: prop(&f, "hasc", "regions.geojson").unwrap_or_default(),
                label: label(&f),
                shape: shape(&f, "regions.geojson")?,
                code,
            });
        }
        let mut cercles = vec![];
        for f in features(&dir.join("cercles.geojson"))? {
            let region_code = prop(&f, "region_id", "cercles.geojson")?;
            if !regions.iter().any(|r| r.code == region_code) {
                return Err(format!("cercles.geojson: region_id `{region_code}` is not in regions.geojson"));
            }
            cercles.push(Cercle {
                code: prop(&f, "id", "cercles.geojson")?,
                name: prop(&f, "name", "cercles.geojson")?,
                region_code,
                shape: shape(&f, "cercles.geojson")?,
            });
        }
        if regions.is_empty() || cercles.is_empty() {
            return Err("the boundary files hold no region or no cercle".into());
        }
        let entries = cercles
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let r = c.shape.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        Ok(Boundaries { regions, cercles, tree: RTree::bulk_load(entries) })
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    pub fn cercle(&self, code: &str) -> Option<&Cercle> {
        self.cercles.iter().find(|c| c.code == code)
    }

    /// The region and cercle of a point, or `None` when it is outside Mali. A point on a
    /// shared edge goes to the first cercle in file order.
    pub fn locate(&self, lat: f64, lon: f64) -> Option<Assignment> {
        if !lat.is_finite() || !lon.is_finite() {
            return None;
        }
        let p = Point::new(lon, lat);
        let mut hits: Vec<usize> = self.tree.locate_all_at_point([lon, lat]).map(|e| e.data).collect();
        hits.sort_unstable();
        if let Some(&i) = hits.iter().find(|&&i| self.cercles[i].shape.intersects(&p)) {
            let c = &self.cercles[i];
            return Some(Assignment {
                region_code: c.region_code.clone(),
                cercle_code: c.code.clone(),
                snapped: false,
            });
        }
        self.nearest_within(p, BORDER_TOLERANCE_KM)
    }

    /// The cercles that may hold a point within `km` of (lat, lon): those whose bounding box
    /// comes within `km` (a superset, never missing one; distances are then measured point to
    /// point). Degrees are converted to km on the safe side (110 km a degree of latitude, and
    /// longitude at the box's latitude farthest from the equator).
    pub fn cercles_near(&self, lat: f64, lon: f64, km: f64) -> Vec<String> {
        if !lat.is_finite() || !lon.is_finite() || !km.is_finite() || km < 0.0 {
            return vec![];
        }
        let dlat = km / 110.0;
        let far = (lat.abs() + dlat).min(89.0);
        let dlon = km / (110.0 * far.to_radians().cos());
        let env = AABB::from_corners([lon - dlon, lat - dlat], [lon + dlon, lat + dlat]);
        let mut idx: Vec<usize> = self.tree.locate_in_envelope_intersecting(env).map(|e| e.data).collect();
        idx.sort_unstable();
        idx.into_iter().map(|i| self.cercles[i].code.clone()).collect()
    }

    /// Every ordered pair of cercles whose polygons touch (they share vertices on common
    /// borders, the files being an edge-matched coverage).
    pub fn adjacent_pairs(&self) -> std::collections::HashSet<(String, String)> {
        let mut out = std::collections::HashSet::new();
        for (i, a) in self.cercles.iter().enumerate() {
            let Some(ra) = a.shape.bounding_rect() else { continue };
            let env = AABB::from_corners(
                [ra.min().x - 1e-3, ra.min().y - 1e-3],
                [ra.max().x + 1e-3, ra.max().y + 1e-3],
            );
            for e in self.tree.locate_in_envelope_intersecting(env) {
                let j = e.data;
                if j <= i {
                    continue;
                }
                let b = &self.cercles[j];
                if a.shape.intersects(&b.shape) {
                    out.insert((a.code.clone(), b.code.clone()));
                    out.insert((b.code.clone(), a.code.clone()));
                }
            }
        }
        out
    }

    fn nearest_within(&self, p: Point<f64>, km: f64) -> Option<Assignment> {
        // Degrees of latitude are ~111 km; longitude shrinks with cos(lat). Search a box a
        // little larger than the tolerance, then measure in km.
        let dlat = km / 111.0;
        let dlon = km / (111.0 * p.y().to_radians().cos().max(0.1));
        let env = AABB::from_corners([p.x() - dlon, p.y() - dlat], [p.x() + dlon, p.y() + dlat]);
        let scale_x = 111.0 * p.y().to_radians().cos();
        self.tree
            .locate_in_envelope_intersecting(env)
            .filter_map(|e| {
                let c = &self.cercles[e.data];
                // Distance in degrees, scaled to km by the local longitude factor (a bound
                // good enough at 5 km).
                let d = Euclidean.distance(&p, &c.shape) * scale_x.clamp(1.0, 111.0);
                (d <= km).then_some((d, e.data))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, i)| {
                let c = &self.cercles[i];
                Assignment { region_code: c.region_code.clone(), cercle_code: c.code.clone(), snapped: true }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boundaries() -> Boundaries {
        Boundaries::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/resources/mali"))).unwrap()
    }

    #[test]
    fn towns_fall_in_their_region_and_cercle() {
        let b = boundaries();
        assert_eq!(b.regions.len(), 9);
        assert_eq!(b.cercles.len(), 50);
        for (town, lat, lon, region, cercle) in [
            ("Bamako", 12.6392, -8.0029, "ML-BKO", "ML.BA.BM"),
            ("Gao", 16.2717, -0.0447, "ML-7", "ML.GA.GA"),
            ("Kidal", 18.4411, 1.4078, "ML-8", "ML.KD.KL"),
            ("Mopti", 14.4843, -4.1830, "ML-5", "ML.MO.MP"),
            ("Kayes", 14.4469, -11.4445, "ML-1", "ML.KY.KY"),
            ("Timbuktu", 16.7735, -3.0074, "ML-6", "ML.TB.TB"),
            ("Sikasso", 11.3176, -5.6665, "ML-3", "ML.SK.SK"),
            ("Ségou", 13.4317, -6.2157, "ML-4", "ML.SG.SG"),
            ("Ménaka", 15.9182, 2.4022, "ML-7", "ML.GA.MN"),
        ] {
            let a = b.locate(lat, lon).unwrap_or_else(|| panic!("{town} not found"));
            assert_eq!((a.region_code.as_str(), a.cercle_code.as_str()), (region, cercle), "{town}");
            assert!(!a.snapped, "{town}");
        }
    }

    #[test]
    fn neighbouring_cercles_are_adjacent() {
        let pairs = boundaries().adjacent_pairs();
        assert!(pairs.contains(&("ML.MO.MP".to_string(), "ML.MO.BD".to_string())), "Mopti–Bandiagara");
        assert!(pairs.contains(&("ML.BA.BM".to_string(), "ML.KK.KT".to_string())), "Bamako–Kati");
        assert!(!pairs.contains(&("ML.KY.KY".to_string(), "ML.KD.KL".to_string())), "Kayes–Kidal");
    }

    #[test]
    fn points_outside_mali_are_recognised() {
        let b = boundaries();
        assert_eq!(b.locate(13.5116, 2.1254), None, "Niamey, Niger");
        assert_eq!(b.locate(14.0, -30.0), None, "Atlantic");
        assert_eq!(b.locate(14.7167, -17.4677), None, "Dakar");
        assert_eq!(b.locate(f64::NAN, 0.0), None);
    }

    fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
        let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
        let h = ((b.0 - a.0).to_radians() / 2.0).sin().powi(2)
            + p1.cos() * p2.cos() * ((b.1 - a.1).to_radians() / 2.0).sin().powi(2);
        6371.0 * 2.0 * h.sqrt().asin()
    }

    #[test]
    fn cercles_near_never_miss_the_cercle_of_a_point_within_the_distance() {
        let b = boundaries();
        // A grid over Mali, every 0.25 degree: for each point and distance, the cercle of every
        // grid point within that distance is among `cercles_near`.
        let grid: Vec<((f64, f64), String)> = (0..60)
            .flat_map(|i| (0..70).map(move |j| (10.2 + i as f64 * 0.25, -12.2 + j as f64 * 0.25)))
            .filter_map(|p| b.locate(p.0, p.1).map(|a| (p, a.cercle_code)))
            .collect();
        assert!(grid.len() > 1500, "{}", grid.len());
        for (k, (p, own)) in grid.iter().enumerate().step_by(37) {
            for d in [25.0, 100.0, 250.0] {
                let near = b.cercles_near(p.0, p.1, d);
                assert!(near.contains(own));
                for (q, cercle) in &grid {
                    if km(*p, *q) <= d {
                        assert!(near.contains(cercle), "point {k} {p:?}, {d} km: {q:?} in {cercle} missed");
                    }
                }
            }
        }
        // Mopti at 100 km reaches Bankass (66 km away), which is not Mopti's neighbour.
        let mopti = b.cercles_near(14.4843, -4.1830, 100.0);
        assert_eq!(b.locate(14.1343, -3.683).unwrap().cercle_code, "ML.MO.BK");
        assert!(mopti.contains(&"ML.MO.BK".to_string()), "{mopti:?}");
        assert!(!b.adjacent_pairs().contains(&("ML.MO.MP".to_string(), "ML.MO.BK".to_string())));
        assert!(!b.cercles_near(14.4843, -4.1830, 25.0).contains(&"ML.KY.KY".to_string()));
    }
}
