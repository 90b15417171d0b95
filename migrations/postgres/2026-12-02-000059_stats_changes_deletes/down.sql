DROP TRIGGER stats_changes_allegations_deleted ON allegations;
DROP TRIGGER stats_changes_cases_deleted ON cases;
