//! KMS errors under AWS's own names (`ValidationException`, …), each with
//! the message AWS gives where the reference records it.

use std::fmt;

/// The `__type` of a KMS error response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorName {
    ValidationException,
    InvalidGrantTokenException,
    InvalidGrantIdException,
    InvalidArnException,
    InvalidMarkerException,
    NotFoundException,
    DisabledException,
    KMSInvalidStateException,
    LimitExceededException,
    AccessDeniedException,
    MalformedPolicyDocumentException,
    IncorrectKeyException,
    InvalidCiphertextException,
    AlreadyExistsException,
    InvalidAliasNameException,
    InvalidKeyUsageException,
    TagException,
    CustomKeyStoreNotFoundException,
    /// `Verify`: the signature is not valid (empty message).
    KMSInvalidSignatureException,
    /// `VerifyMac`: the MAC is not valid (empty message).
    KMSInvalidMacException,
    /// Something keyward cannot do went wrong inside it (AWS's 500).
    KMSInternalException,
    /// An operation, or a member value, keyward does not implement.
    UnsupportedOperationException,
    /// A request body that is not the JSON the operation takes (the AWS
    /// JSON protocol's error for wrong types).
    SerializationException,
    /// An `X-Amz-Target` the API does not have.
    UnknownOperationException,
    /// A `DryRun` request that would have succeeded.
    DryRunOperationException,
    InvalidImportTokenException,
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    /// Custom key stores (`docs/custom-key-stores.md`).
    CustomKeyStoreInvalidStateException,
    CustomKeyStoreNameInUseException,
    CustomKeyStoreHasCMKsException,
    CloudHsmClusterInUseException,
    CloudHsmClusterNotFoundException,
    IncorrectTrustAnchorException,
    XksProxyUriInUseException,
    XksProxyUriEndpointInUseException,
    XksProxyVpcEndpointServiceInUseException,
    XksKeyAlreadyInUseException,
    XksProxyUriUnreachableException,
    XksProxyInvalidConfigurationException,
    XksProxyIncorrectAuthenticationCredentialException,
    XksProxyInvalidResponseException,
    XksKeyNotFoundException,
    XksKeyInvalidConfigurationException,
}

impl ErrorName {
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorName::ValidationException => "ValidationException",
            ErrorName::InvalidGrantTokenException => "InvalidGrantTokenException",
            ErrorName::InvalidGrantIdException => "InvalidGrantIdException",
            ErrorName::InvalidArnException => "InvalidArnException",
            ErrorName::InvalidMarkerException => "InvalidMarkerException",
            ErrorName::NotFoundException => "NotFoundException",
            ErrorName::DisabledException => "DisabledException",
            ErrorName::KMSInvalidStateException => "KMSInvalidStateException",
            ErrorName::LimitExceededException => "LimitExceededException",
            ErrorName::AccessDeniedException => "AccessDeniedException",
            ErrorName::MalformedPolicyDocumentException => "MalformedPolicyDocumentException",
            ErrorName::IncorrectKeyException => "IncorrectKeyException",
            ErrorName::InvalidCiphertextException => "InvalidCiphertextException",
            ErrorName::AlreadyExistsException => "AlreadyExistsException",
            ErrorName::InvalidAliasNameException => "InvalidAliasNameException",
            ErrorName::InvalidKeyUsageException => "InvalidKeyUsageException",
            ErrorName::TagException => "TagException",
            ErrorName::CustomKeyStoreNotFoundException => "CustomKeyStoreNotFoundException",
            ErrorName::KMSInvalidSignatureException => "KMSInvalidSignatureException",
            ErrorName::KMSInvalidMacException => "KMSInvalidMacException",
            ErrorName::KMSInternalException => "KMSInternalException",
            ErrorName::UnsupportedOperationException => "UnsupportedOperationException",
            ErrorName::SerializationException => "SerializationException",
            ErrorName::UnknownOperationException => "UnknownOperationException",
            ErrorName::DryRunOperationException => "DryRunOperationException",
            ErrorName::InvalidImportTokenException => "InvalidImportTokenException",
            ErrorName::ExpiredImportTokenException => "ExpiredImportTokenException",
            ErrorName::IncorrectKeyMaterialException => "IncorrectKeyMaterialException",
            ErrorName::CustomKeyStoreInvalidStateException => "CustomKeyStoreInvalidStateException",
            ErrorName::CustomKeyStoreNameInUseException => "CustomKeyStoreNameInUseException",
            ErrorName::CustomKeyStoreHasCMKsException => "CustomKeyStoreHasCMKsException",
            ErrorName::CloudHsmClusterInUseException => "CloudHsmClusterInUseException",
            ErrorName::CloudHsmClusterNotFoundException => "CloudHsmClusterNotFoundException",
            ErrorName::IncorrectTrustAnchorException => "IncorrectTrustAnchorException",
            ErrorName::XksProxyUriInUseException => "XksProxyUriInUseException",
            ErrorName::XksProxyUriEndpointInUseException => "XksProxyUriEndpointInUseException",
            ErrorName::XksProxyVpcEndpointServiceInUseException => "XksProxyVpcEndpointServiceInUseException",
            ErrorName::XksKeyAlreadyInUseException => "XksKeyAlreadyInUseException",
            ErrorName::XksProxyUriUnreachableException => "XksProxyUriUnreachableException",
            ErrorName::XksProxyInvalidConfigurationException => "XksProxyInvalidConfigurationException",
            ErrorName::XksProxyIncorrectAuthenticationCredentialException => {
                "XksProxyIncorrectAuthenticationCredentialException"
            }
            ErrorName::XksProxyInvalidResponseException => "XksProxyInvalidResponseException",
            ErrorName::XksKeyNotFoundException => "XksKeyNotFoundException",
            ErrorName::XksKeyInvalidConfigurationException => "XksKeyInvalidConfigurationException",
        }
    }
}

/// A KMS operation refused, as AWS would refuse it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsError {
    pub name: ErrorName,
    pub message: String,
}

impl KmsError {
    pub fn new(name: ErrorName, message: impl Into<String>) -> KmsError {
        KmsError {
            name,
            message: message.into(),
        }
    }

    /// `1 validation error detected: Value '<v>' at '<member>' failed to
    /// satisfy constraint: Member must <rule>` (the AWS JSON wording, §1.1).
    pub fn constraint(value: Option<&str>, member: &str, rule: &str) -> KmsError {
        let value = value
            .map(|v| format!("Value '{v}' at"))
            .unwrap_or_else(|| "Value at".to_owned());
        KmsError::new(
            ErrorName::ValidationException,
            format!("1 validation error detected: {value} '{member}' failed to satisfy constraint: Member must {rule}"),
        )
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name.as_str(), self.message)
    }
}

impl std::error::Error for KmsError {}
