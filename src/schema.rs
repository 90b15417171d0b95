//! The database schema, written once for both engines. It mirrors `migrations/sqlite` and
//! `migrations/postgres`, which must change together.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    institutions (id) {
        id -> Integer,
        code -> Text,
        name_fr -> Text,
        name_en -> Text,
        kind -> Text,
    }
}

diesel::table! {
    violation_groups (id) {
        id -> Integer,
        code -> Text,
        position -> Integer,
        icon -> Text,
        label_fr -> Text,
        label_en -> Text,
    }
}

diesel::table! {
    violation_types (id) {
        id -> Integer,
        code -> Text,
        group_id -> Integer,
        position -> Integer,
        label_fr -> Text,
        label_en -> Text,
        huridocs_code -> Nullable<Text>,
        active -> Bool,
    }
}

diesel::table! {
    forces (id) {
        id -> Integer,
        code -> Text,
        position -> Integer,
        label_fr -> Text,
        label_en -> Text,
        active -> Bool,
    }
}

diesel::table! {
    units (id) {
        id -> Integer,
        force_id -> Integer,
        name -> Text,
        region_code -> Nullable<Text>,
        parent_id -> Nullable<Integer>,
        strength -> Nullable<Integer>,
        search_key -> Text,
    }
}

diesel::table! {
    dispositions (id) {
        id -> Integer,
        code -> Text,
        position -> Integer,
        label_fr -> Text,
        label_en -> Text,
    }
}

diesel::table! {
    case_statuses (code) {
        code -> Text,
        position -> Integer,
        label_fr -> Text,
        label_en -> Text,
        public_code -> Text,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
        name_en -> Text,
        hasc -> Text,
    }
}

diesel::table! {
    cercles (code) {
        code -> Text,
        region_code -> Text,
        name -> Text,
    }
}

diesel::table! {
    places (id) {
        id -> Integer,
        name -> Text,
        ascii_name -> Text,
        alt_names -> Text,
        lat -> Double,
        lon -> Double,
        region_code -> Nullable<Text>,
        cercle_code -> Nullable<Text>,
        population -> Nullable<Integer>,
        added_by -> Nullable<Integer>,
        added_at -> Nullable<Timestamp>,
        active -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        name -> Text,
        role -> Text,
        institution_id -> Nullable<Integer>,
        locale -> Text,
        password_hash -> Text,
        password_changed_at -> Timestamp,
        totp_secret -> Nullable<Text>,
        totp_enabled_at -> Nullable<Timestamp>,
        totp_last_step -> Nullable<BigInt>,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        totp_failures -> Integer,
        digest_enabled -> Bool,
        partner_id -> Nullable<Integer>,
        public_key -> Nullable<Text>,
        sealed_private_key -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Integer,
        token_hash -> Text,
        user_id -> Integer,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        second_factor_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        sealed_key -> Nullable<Text>,
    }
}

diesel::table! {
    recovery_keys (id) {
        id -> Integer,
        public_key -> Text,
        shares -> Integer,
        threshold -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_keys (id) {
        id -> Integer,
        group_code -> Text,
        version -> Integer,
        public_key -> Text,
        recovery_sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_key_seals (group_key_id, user_id) {
        group_key_id -> Integer,
        user_id -> Integer,
        sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Integer,
        user_id -> Integer,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Integer,
        user_id -> Integer,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    events (id) {
        id -> Integer,
        title -> Text,
        occurred_on -> Date,
        date_precision -> Text,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        region_code -> Nullable<Text>,
        cercle_code -> Nullable<Text>,
        summary -> Text,
        prior_approach -> Bool,
        court_pending -> Bool,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> Integer,
        receipt_hash -> Text,
        status -> Text,
        channel -> Text,
        locale -> Text,
        submitted_on -> Date,
        narrative -> Text,
        occurred_on -> Date,
        date_precision -> Text,
        occurred_time -> Nullable<Text>,
        force_id -> Integer,
        unit_description -> Text,
        uniform_seen -> Text,
        insignia_seen -> Text,
        vehicle_seen -> Text,
        victim_count -> Nullable<Integer>,
        children_involved -> Bool,
        victim_details -> Text,
        reporter_relation -> Text,
        reporter_name -> Nullable<Text>,
        reporter_contact -> Nullable<Text>,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        place_id -> Nullable<Integer>,
        region_code -> Nullable<Text>,
        cercle_code -> Nullable<Text>,
        location_method -> Text,
        monitor_id -> Nullable<Integer>,
        on_behalf_of -> Nullable<Text>,
        consent_obtained -> Bool,
        event_id -> Nullable<Integer>,
        admissibility -> Text,
        admissibility_reason -> Nullable<Text>,
        triaged_at -> Nullable<Timestamp>,
        sealed -> Nullable<Text>,
    }
}

diesel::table! {
    report_keys (report_id, holder) {
        report_id -> Integer,
        holder -> Text,
        group_key_id -> Nullable<Integer>,
        sealed -> Text,
    }
}

diesel::table! {
    report_keys_wanted (report_id, holder) {
        report_id -> Integer,
        holder -> Text,
    }
}

diesel::table! {
    report_violations (report_id, violation_type_id) {
        report_id -> Integer,
        violation_type_id -> Integer,
    }
}

diesel::table! {
    case_kept_reports (case_id, report_id) {
        case_id -> Integer,
        report_id -> Integer,
    }
}

diesel::table! {
    cases (id) {
        id -> Integer,
        event_id -> Integer,
        institution_id -> Integer,
        status -> Text,
        assignee_id -> Nullable<Integer>,
        opened_at -> Timestamp,
        acknowledge_by -> Nullable<Date>,
        triage_by -> Nullable<Date>,
        response_due_on -> Nullable<Date>,
        recommended_outcome -> Nullable<Text>,
        authority_response -> Nullable<Text>,
        final_outcome -> Nullable<Text>,
        disciplined -> Nullable<Bool>,
        closed_at -> Nullable<Timestamp>,
        close_reason -> Nullable<Text>,
        reported_on -> Nullable<Date>,
    }
}

diesel::table! {
    allegations (id) {
        id -> Integer,
        event_id -> Integer,
        violation_type_id -> Integer,
        force_id -> Integer,
        unit_id -> Nullable<Integer>,
        unit_description -> Text,
        identifiers_seen -> Text,
        involvement -> Text,
        confidence -> Text,
        victim_count -> Nullable<Integer>,
        children_involved -> Bool,
        victim_details -> Text,
        destination_id -> Nullable<Integer>,
        routing_rule_id -> Nullable<Integer>,
        routing_fact -> Nullable<Text>,
        override_reason -> Nullable<Text>,
        case_id -> Nullable<Integer>,
        disposition_id -> Nullable<Integer>,
        standard_of_proof -> Nullable<Text>,
        finding_reasoning -> Nullable<Text>,
        created_at -> Timestamp,
        occurred_month -> Nullable<Date>,
        occurred_region -> Nullable<Text>,
    }
}

diesel::table! {
    case_transitions (id) {
        id -> Integer,
        case_id -> Integer,
        from_status -> Nullable<Text>,
        to_status -> Text,
        user_id -> Nullable<Integer>,
        reason -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    case_notes (id) {
        id -> Integer,
        case_id -> Integer,
        user_id -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_actions (id) {
        id -> Integer,
        case_id -> Integer,
        description -> Text,
        due_on -> Nullable<Date>,
        done_at -> Nullable<Timestamp>,
        created_by -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recommendations (id) {
        id -> Integer,
        case_id -> Integer,
        addressee -> Text,
        content -> Text,
        due_on -> Nullable<Date>,
        sent_at -> Nullable<Timestamp>,
        response -> Nullable<Text>,
        response_at -> Nullable<Timestamp>,
        created_by -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    routing_rules (id) {
        id -> Integer,
        position -> Integer,
        name -> Text,
        violation_group_code -> Nullable<Text>,
        violation_type_code -> Nullable<Text>,
        force_code -> Nullable<Text>,
        prior_approach -> Nullable<Bool>,
        court_pending -> Nullable<Bool>,
        children_involved -> Nullable<Bool>,
        destination_id -> Integer,
        legal_basis_fr -> Text,
        legal_basis_en -> Text,
        active -> Bool,
    }
}

diesel::table! {
    messages (id) {
        id -> Integer,
        report_id -> Integer,
        author -> Text,
        user_id -> Nullable<Integer>,
        body -> Text,
        sent_on -> Date,
        institution_id -> Nullable<Integer>,
        attachment_id -> Nullable<Integer>,
    }
}

diesel::table! {
    attachments (id) {
        id -> Integer,
        report_id -> Nullable<Integer>,
        case_id -> Nullable<Integer>,
        kind -> Text,
        content_type -> Text,
        size_bytes -> Integer,
        sha256 -> Text,
        uploaded_on -> Date,
        uploaded_by -> Nullable<Integer>,
        safe_data -> Nullable<Binary>,
        safe_content_type -> Nullable<Text>,
        warning -> Nullable<Text>,
        purpose -> Text,
        transcription -> Nullable<Text>,
        translation -> Nullable<Text>,
        transcribed_by -> Nullable<Integer>,
        transcribed_at -> Nullable<Timestamp>,
        stored_sha256 -> Nullable<Text>,
    }
}

diesel::table! {
    /// An evidence file's stored bytes, in pieces of at most 1 MiB (issue 15).
    attachment_pieces (attachment_id, seq) {
        attachment_id -> Integer,
        seq -> Integer,
        data -> Binary,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        actor_id -> Nullable<Integer>,
        actor -> Text,
        ip -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Text,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Integer,
        to_addr -> Text,
        subject -> Text,
        body -> Text,
        kind -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    training_norms (id) {
        id -> Integer,
        code -> Text,
        instrument -> Text,
        label_fr -> Text,
        label_en -> Text,
    }
}

diesel::table! {
    training_modules (id) {
        id -> Integer,
        code -> Text,
        label_fr -> Text,
        label_en -> Text,
    }
}

diesel::table! {
    violation_norms (violation_type_id, norm_id) {
        violation_type_id -> Integer,
        norm_id -> Integer,
    }
}

diesel::table! {
    violation_modules (violation_type_id, module_id) {
        violation_type_id -> Integer,
        module_id -> Integer,
    }
}

diesel::table! {
    remediation_actions (id) {
        id -> Integer,
        status -> Text,
        issue -> Text,
        key_actions -> Text,
        deadline_on -> Nullable<Date>,
        lessons_unit -> Text,
        lessons_institution -> Text,
        module_id -> Nullable<Integer>,
        force_id -> Nullable<Integer>,
        unit -> Text,
        region_code -> Nullable<Text>,
        partner -> Text,
        starts_on -> Nullable<Date>,
        ends_on -> Nullable<Date>,
        attendance -> Nullable<Integer>,
        pre_score -> Nullable<Double>,
        post_score -> Nullable<Double>,
        review_on -> Nullable<Date>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        unit_id -> Nullable<Integer>,
        partner_id -> Nullable<Integer>,
        review_reminded_on -> Nullable<Date>,
        case_id -> Nullable<Integer>,
        violation_type_id -> Nullable<Integer>,
    }
}

diesel::table! {
    partners (id) {
        id -> Integer,
        name -> Text,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    training_sessions (id) {
        id -> Integer,
        partner_id -> Integer,
        status -> Text,
        planned_from -> Date,
        planned_to -> Date,
        held_from -> Nullable<Date>,
        held_to -> Nullable<Date>,
        region_code -> Nullable<Text>,
        attendance -> Nullable<Integer>,
        pre_score -> Nullable<Double>,
        post_score -> Nullable<Double>,
        go_ahead_reason -> Nullable<Text>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    session_modules (session_id, module_id) {
        session_id -> Integer,
        module_id -> Integer,
    }
}

diesel::table! {
    session_units (session_id, unit_id) {
        session_id -> Integer,
        unit_id -> Integer,
    }
}

diesel::table! {
    /// The sessions a remediation action names (migration 000062).
    remediation_sessions (action_id, session_id) {
        action_id -> Integer,
        session_id -> Integer,
    }
}

diesel::table! {
    remediation_key_actions (id) {
        id -> Integer,
        action_id -> Integer,
        description -> Text,
        due_on -> Date,
        done_at -> Nullable<Timestamp>,
        reminded_on -> Nullable<Date>,
    }
}

diesel::table! {
    form_tokens (token_hash) {
        token_hash -> Text,
        used_on -> Date,
    }
}

diesel::table! {
    /// The signed channel callbacks seen within the window (issue 16): a replay is refused by
    /// every instance.
    channel_signatures (signature) {
        signature -> Text,
        seen_at -> BigInt,
    }
}

diesel::table! {
    /// The day's salt of phone-number hashes (issue 16); deleted after two days.
    channel_salts (day) {
        day -> Date,
        salt -> Text,
    }
}

diesel::table! {
    /// An SMS conversation in progress, keyed by the number's keyed hash (issue 16).
    channel_sessions (number_hash) {
        number_hash -> Text,
        state -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The phone channel a report came by (issue 16).
    report_channels (report_id) {
        report_id -> Integer,
        channel -> Text,
    }
}

diesel::table! {
    /// A reporter's number, sealed, kept for replies by SMS until the report closes (issue 16).
    channel_contacts (report_id) {
        report_id -> Integer,
        number_sealed -> Text,
        lang -> Text,
    }
}

diesel::table! {
    /// SMS waiting for the gateway (issue 16).
    sms_outbox (id) {
        id -> Integer,
        number_sealed -> Text,
        body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::joinable!(report_channels -> reports (report_id));
diesel::joinable!(channel_contacts -> reports (report_id));

diesel::joinable!(violation_types -> violation_groups (group_id));
diesel::joinable!(report_violations -> reports (report_id));
diesel::joinable!(report_violations -> violation_types (violation_type_id));
diesel::joinable!(reports -> forces (force_id));
diesel::joinable!(cercles -> regions (region_code));
diesel::joinable!(training_sessions -> partners (partner_id));
diesel::joinable!(session_modules -> training_sessions (session_id));
diesel::joinable!(session_modules -> training_modules (module_id));
diesel::joinable!(session_units -> training_sessions (session_id));
diesel::joinable!(session_units -> units (unit_id));
diesel::joinable!(remediation_key_actions -> remediation_actions (action_id));
diesel::joinable!(remediation_sessions -> remediation_actions (action_id));
diesel::joinable!(remediation_sessions -> training_sessions (session_id));
diesel::table! {
    pending_reporter_events (id) {
        id -> Integer,
        day -> Date,
        action -> Text,
        object_type -> Text,
        object_id -> Text,
        details -> Text,
        mail_to -> Nullable<Text>,
        mail_subject -> Nullable<Text>,
        mail_body -> Nullable<Text>,
        mail_kind -> Nullable<Text>,
        due_at -> Timestamp,
    }
}

diesel::table! {
    role_grants (id) {
        id -> Integer,
        user_id -> Integer,
        role -> Text,
        institution_id -> Nullable<Integer>,
        state -> Text,
        with_account -> Bool,
        requested_by -> Integer,
        requested_at -> Timestamp,
        decided_by -> Nullable<Integer>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(messages -> reports (report_id));
diesel::joinable!(messages -> institutions (institution_id));
diesel::joinable!(attachments -> reports (report_id));
diesel::joinable!(attachment_pieces -> attachments (attachment_id));
diesel::joinable!(cases -> institutions (institution_id));
diesel::joinable!(cases -> events (event_id));
diesel::joinable!(allegations -> cases (case_id));
diesel::joinable!(case_kept_reports -> cases (case_id));
diesel::joinable!(case_kept_reports -> reports (report_id));
diesel::joinable!(allegations -> violation_types (violation_type_id));
diesel::joinable!(allegations -> forces (force_id));
diesel::table! {
    digests_sent (user_id, sent_on) {
        user_id -> Integer,
        sent_on -> Date,
        items -> Integer,
    }
}

diesel::table! {
    /// The salt of each hour's shared rate-limit keys (PostgreSQL; issue 14).
    rate_salts (window_start) {
        window_start -> BigInt,
        salt -> Text,
    }
}

diesel::table! {
    /// The public side's hourly counters shared by the instances (PostgreSQL; issue 14).
    rate_counts (window_start, client_key, kind) {
        window_start -> BigInt,
        client_key -> Text,
        kind -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    read_marks (user_id, report_id) {
        user_id -> Integer,
        report_id -> Integer,
        last_message_id -> Integer,
    }
}

diesel::table! {
    /// Appended to by triggers when a counted row changes: the public statistics' data version.
    stats_changes (id) {
        id -> Integer,
    }
}

diesel::table! {
    /// Allegations tied to a unit, per unit × violation type × month of the event, kept by
    /// triggers (migration 2026-11-29-000018): substantiated findings, and allegations still under
    /// investigation with confidence confirmed or probable. Only rows with something counted.
    training_counts (unit_id, violation_type_id, month) {
        unit_id -> Integer,
        violation_type_id -> Integer,
        month -> Date,
        substantiated -> Integer,
        pending -> Integer,
    }
}

diesel::table! {
    /// `training_counts` per region of the event as well (migration 2026-11-29-000025): for a
    /// region filter, the units based elsewhere whose allegations took place in the region.
    training_counts_by_region (region_code, unit_id, violation_type_id, month) {
        region_code -> Text,
        unit_id -> Integer,
        violation_type_id -> Integer,
        month -> Date,
        substantiated -> Integer,
        pending -> Integer,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(digests_sent -> users (user_id));
diesel::joinable!(users -> institutions (institution_id));
diesel::joinable!(routing_rules -> institutions (destination_id));

diesel::joinable!(group_key_seals -> group_keys (group_key_id));
diesel::joinable!(report_keys -> group_keys (group_key_id));
diesel::joinable!(report_keys -> reports (report_id));
diesel::joinable!(report_keys_wanted -> reports (report_id));
diesel::joinable!(group_key_seals -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    group_keys,
    report_keys,
    report_keys_wanted,
    group_key_seals,
    recovery_keys,
    settings,
    stats_changes,
    training_counts,
    training_counts_by_region,
    form_tokens,
    institutions,
    violation_groups,
    violation_types,
    forces,
    units,
    dispositions,
    case_statuses,
    regions,
    cercles,
    places,
    users,
    sessions,
    recovery_codes,
    password_resets,
    events,
    reports,
    report_violations,
    cases,
    case_kept_reports,
    allegations,
    case_transitions,
    case_notes,
    case_actions,
    recommendations,
    routing_rules,
    messages,
    attachments,
    attachment_pieces,
    audit_log,
    mail_outbox,
    training_norms,
    training_modules,
    violation_norms,
    violation_modules,
    remediation_actions,
    digests_sent,
    rate_salts,
    rate_counts,
    pending_reporter_events,
    role_grants,
    read_marks,
    partners,
    training_sessions,
    session_modules,
    session_units,
    remediation_key_actions,
    remediation_sessions,
    report_channels,
    channel_contacts,
);
