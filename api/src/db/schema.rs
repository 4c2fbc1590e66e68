// @generated automatically by Diesel CLI.

diesel::table! {
    agents (id) {
        id -> BigInt,
        name -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        active -> Bool,
        token_version -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        agent_id -> BigInt,
        name -> Text,
        scope -> Text,
        token_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        filename -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        storage_name -> Text,
        uploaded_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        target -> Nullable<Text>,
        ip -> Nullable<Text>,
        details -> Text,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    channels (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        author_id -> BigInt,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        agent_id -> BigInt,
        endpoint -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    search_deferral (id) {
        id -> BigInt,
        active -> Bool,
    }
}

diesel::table! {
    search_pending (ticket_id) {
        ticket_id -> BigInt,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        actor_id -> BigInt,
        kind -> Text,
        from_value -> Nullable<Text>,
        to_value -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_stats (category, status) {
        category -> Text,
        status -> Text,
        tickets -> BigInt,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        subject -> Text,
        customer_name -> Text,
        customer_contact -> Text,
        channel -> Text,
        category -> Text,
        description -> Text,
        status -> Text,
        priority -> Text,
        assignee_id -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        first_response_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
        comment_count -> BigInt,
        attachment_count -> BigInt,
    }
}

diesel::joinable!(api_tokens -> agents (agent_id));
diesel::joinable!(attachments -> agents (uploaded_by));
diesel::joinable!(attachments -> tickets (ticket_id));
diesel::joinable!(audit_log -> agents (actor_id));
diesel::joinable!(comments -> agents (author_id));
diesel::joinable!(comments -> tickets (ticket_id));
diesel::joinable!(idempotency_keys -> agents (agent_id));
diesel::joinable!(ticket_events -> agents (actor_id));
diesel::joinable!(ticket_events -> tickets (ticket_id));

diesel::allow_tables_to_appear_in_same_query!(
    agents,
    api_tokens,
    attachments,
    audit_log,
    categories,
    channels,
    comments,
    idempotency_keys,
    search_deferral,
    search_pending,
    ticket_events,
    ticket_stats,
    tickets,
);
