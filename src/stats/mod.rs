//! Public statistics (issue 13): fixed tables per closed quarter and closed year, with
//! disclosure control so that no published figure can single out a victim or a reporter.

pub mod suppress;
pub mod tables;
