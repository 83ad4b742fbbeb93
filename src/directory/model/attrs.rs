//! lDAPDisplayNames of every AD attribute and object class umctl reads or writes, spelled as
//! the AD schema spells them (directories compare names case-insensitively; Samba returns
//! schema case). The only place outside fixtures where these strings appear. Which of them are
//! required or single-valued is `schema.rs`; what they mean is the typed objects'.

// Generic directory attributes.
pub const OBJECT_CLASS: &str = "objectClass";
pub const OBJECT_CATEGORY: &str = "objectCategory";
pub const OBJECT_SID: &str = "objectSid";
pub const OBJECT_GUID: &str = "objectGUID";
pub const CN: &str = "cn";
pub const NAME: &str = "name";
pub const DESCRIPTION: &str = "description";
pub const DISPLAY_NAME: &str = "displayName";
pub const GIVEN_NAME: &str = "givenName";
pub const SURNAME: &str = "sn";
pub const SAM_ACCOUNT_NAME: &str = "sAMAccountName";
pub const USER_PRINCIPAL_NAME: &str = "userPrincipalName";
pub const MAIL: &str = "mail";
pub const PROXY_ADDRESSES: &str = "proxyAddresses";
pub const TELEPHONE_NUMBER: &str = "telephoneNumber";
pub const OTHER_IP_PHONE: &str = "otherIPPhone";
pub const OTHER_TELEPHONE: &str = "otherTelephone";
pub const MEMBER: &str = "member";
pub const DNS_HOST_NAME: &str = "dNSHostName";
pub const NETWORK_ADDRESS: &str = "networkAddress";
pub const NT_SECURITY_DESCRIPTOR: &str = "nTSecurityDescriptor";
pub const LEGACY_EXCHANGE_DN: &str = "legacyExchangeDN";
pub const CANONICAL_NAME: &str = "canonicalName";
pub const MS_DS_SOURCE_OBJECT_DN: &str = "msDS-SourceObjectDN";

/// Attributes a real AD returns on read but sets itself: an add that carries them is refused,
/// so an undo that re-adds a deleted object leaves them out.
pub const SYSTEM_OWNED: [&str; 11] = [
    OBJECT_GUID,
    OBJECT_SID,
    "whenCreated",
    "whenChanged",
    "uSNCreated",
    "uSNChanged",
    "distinguishedName",
    "instanceType",
    "dSCorePropagationData",
    "replPropertyMetaData",
    NAME,
];

// Lync / Skype for Business (msRTCSIP-*).
pub const MSRTCSIP_POOL_VERSION: &str = "msRTCSIP-PoolVersion";
pub const MSRTCSIP_POOL_DATA: &str = "msRTCSIP-PoolData";
pub const MSRTCSIP_PRIMARY_USER_ADDRESS: &str = "msRTCSIP-PrimaryUserAddress";
pub const MSRTCSIP_USER_ENABLED: &str = "msRTCSIP-UserEnabled";
pub const MSRTCSIP_LINE: &str = "msRTCSIP-Line";
pub const MSRTCSIP_PRIMARY_HOME_SERVER: &str = "msRTCSIP-PrimaryHomeServer";
pub const MSRTCSIP_OPTION_FLAGS: &str = "msRTCSIP-OptionFlags";
pub const MSRTCSIP_SOURCE_OBJECT_TYPE: &str = "msRTCSIP-SourceObjectType";

// Exchange recipients.
pub const MSEXCH_UC_VOICE_MAIL_SETTINGS: &str = "msExchUCVoiceMailSettings";
pub const MSEXCH_UM_ENABLED_FLAGS: &str = "msExchUMEnabledFlags";
pub const MSEXCH_UM_RECIPIENT_DIAL_PLAN_LINK: &str = "msExchUMRecipientDialPlanLink";
pub const MSEXCH_HOME_SERVER_NAME: &str = "msExchHomeServerName";
pub const MSEXCH_UM_ADDRESSES: &str = "msExchUMAddresses";
pub const MSEXCH_UM_TEMPLATE_LINK: &str = "msExchUMTemplateLink";

// Exchange servers.
pub const MSEXCH_CURRENT_SERVER_ROLES: &str = "msExchCurrentServerRoles";
pub const MSEXCH_UM_SERVER_DIAL_PLAN_LINK: &str = "msExchUMServerDialPlanLink";
/// UMStartupMode of a server's UM services: 0 TCP, 1 TLS, 2 Dual.
pub const MSEXCH_UM_STARTUP_MODE: &str = "msExchUMStartupMode";

// UM dial plan.
pub const MSEXCH_UM_DIAL_PLAN_URI_TYPE: &str = "msExchUMDialPlanURIType";
pub const MSEXCH_UM_NUMBERING_PLAN_DIGITS: &str = "msExchUMNumberingPlanDigits";
pub const MSEXCH_UM_PHONE_CONTEXT: &str = "msExchUMPhoneContext";
pub const MSEXCH_UM_VOICE_MAIL_PILOT_NUMBERS: &str = "msExchUMVoiceMailPilotNumbers";
pub const MSEXCH_UM_COUNTRY_CODE: &str = "msExchUMCountryCode";
pub const MSEXCH_UM_DIAL_PLAN_VOIP_SECURITY: &str = "msExchUMDialPlanVoipSecurity";
pub const MSEXCH_UM_AUDIO_CODEC2: &str = "msExchUMAudioCodec2";
pub const MSEXCH_UM_OPERATOR_EXTENSION: &str = "msExchUMOperatorExtension";
pub const MSEXCH_UM_LOGON_FAILURES_BEFORE_DISCONNECT: &str =
    "msExchUMLogonFailuresBeforeDisconnect";
pub const MSEXCH_UM_CALL_FAILURES_TO_DISCONNECT: &str = "msExchUMCallFailuresToDisconnect";
pub const MSEXCH_UM_MAX_CALL_DURATION: &str = "msExchUMMaxCallDuration";
pub const MSEXCH_UM_MAX_RECORDING_DURATION: &str = "msExchUMMaxRecordingDuration";
pub const MSEXCH_UM_RECORDING_IDLE_TIMEOUT: &str = "msExchUMRecordingIdleTimeout";

// UM auto attendant.
pub const MSEXCH_UM_AUTO_ATTENDANT_DIAL_PLAN_LINK: &str = "msExchUMAutoAttendantDialPlanLink";
pub const MSEXCH_UM_AUTO_ATTENDANT_DIALED_NUMBERS: &str = "msExchUMAutoAttendantDialedNumbers";
pub const MSEXCH_UM_AUTO_ATTENDANT_FLAGS: &str = "msExchUMAutoAttendantFlags";
pub const MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_FEATURES: &str =
    "msExchUMAutoAttendantBusinessHourFeatures";
pub const MSEXCH_UM_AUTO_ATTENDANT_AFTER_HOUR_FEATURES: &str =
    "msExchUMAutoAttendantAfterHourFeatures";
pub const MSEXCH_UM_AUTO_ATTENDANT_BUSINESS_HOUR_SCHEDULE: &str =
    "msExchUMAutoAttendantBusinessHourSchedule";
pub const MSEXCH_UM_AUTO_ATTENDANT_HOLIDAY_SCHEDULE: &str = "msExchUMAutoAttendantHolidaySchedule";

// UM mailbox policy (msExchUMRecipientTemplate, UMMailboxPolicySchema).
pub const MSEXCH_UM_MAILBOX_POLICY_DIAL_PLAN_LINK: &str = "msExchUMMailboxPolicyDialPlanLink";
pub const MSEXCH_UM_PIN_POLICY_MIN_PASSWORD_LENGTH: &str = "msExchUMPinPolicyMinPasswordLength";
pub const MSEXCH_UM_PIN_POLICY_PREVIOUS_DISALLOWED: &str =
    "msExchUMPinPolicyNumberOfPreviousPasswordsDisallowed";
pub const MSEXCH_UM_PIN_POLICY_ACCOUNT_LOCKOUT_FAILURES: &str =
    "msExchUMPinPolicyAccountLockoutFailures";
pub const MSEXCH_UM_PIN_POLICY_DISALLOW_COMMON_PATTERNS: &str =
    "msExchUMPinPolicyDisallowCommonPatterns";
pub const MSEXCH_UM_LOGON_FAILURES_BEFORE_PIN_RESET: &str = "msExchUMLogonFailuresBeforePINReset";
pub const MSEXCH_UM_MAX_GREETING_DURATION: &str = "msExchUMMaxGreetingDuration";

// UM IP gateway and hunt group.
pub const MSEXCH_UM_IP_GATEWAY_ADDRESS: &str = "msExchUMIPGatewayAddress";
pub const MSEXCH_UM_IP_GATEWAY_PORT: &str = "msExchUMIPGatewayPort";
pub const MSEXCH_UM_OUTCALLS_ALLOWED: &str = "msExchUMOutcallsAllowed";
pub const MSEXCH_UM_IP_GATEWAY_FLAGS: &str = "msExchUMIPGatewayFlags";
pub const MSEXCH_UM_IP_GATEWAY_FLAGS2: &str = "msExchUMIPGatewayFlags2";
pub const MSEXCH_UM_IP_GATEWAY_STATUS: &str = "msExchUMIPGatewayStatus";
pub const MSEXCH_UM_HUNT_GROUP_DIAL_PLAN_LINK: &str = "msExchUMHuntGroupDialPlanLink";
pub const MSEXCH_UM_PILOT_IDENTIFIER: &str = "msExchUMPilotIdentifier";

// Object classes.
pub const OC_TOP: &str = "top";
pub const OC_PERSON: &str = "person";
pub const OC_ORGANIZATIONAL_PERSON: &str = "organizationalPerson";
pub const OC_USER: &str = "user";
pub const OC_CONTACT: &str = "contact";
pub const OC_GROUP: &str = "group";
pub const OC_MSRTCSIP_POOL: &str = "msRTCSIP-Pool";
pub const OC_MSRTCSIP_POOLS: &str = "msRTCSIP-Pools";
pub const OC_MSEXCH_ORGANIZATION_CONTAINER: &str = "msExchOrganizationContainer";
pub const OC_MSEXCH_EXCHANGE_SERVER: &str = "msExchExchangeServer";
pub const OC_MSEXCH_UM_DIAL_PLAN: &str = "msExchUMDialPlan";
pub const OC_MSEXCH_UM_AUTO_ATTENDANT: &str = "msExchUMAutoAttendant";
pub const OC_MSEXCH_UM_IP_GATEWAY: &str = "msExchUMIPGateway";
pub const OC_MSEXCH_UM_HUNT_GROUP: &str = "msExchUMHuntGroup";
