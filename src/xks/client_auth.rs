//! `keyward xks-proxy --tls-client-ca FILE [--tls-client-subject NAME]`:
//! the proxy's side of mutual TLS. "If the XKS proxy supports mTLS, it MUST
//! allow the customer to configure both the subject name and the root
//! certificate authority (CA) for the client certificate. The XKS proxy
//! MUST terminate the TLS handshake if the client presents a certificate
//! containing a different subject name or chained to a different
//! certificate authority" (XKS Proxy API spec, *Authentication*; KMS
//! presents `CN=cks.kms.<Region>.amazonaws.com`). The chain is verified by
//! rustls's WebPKI verifier; the subject's common name is then compared.

use std::sync::Arc;

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Reader as _, SliceReader, Tag, Tagged as _};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use super::server::TlsFileError;

/// `id-at-commonName` (RFC 5280, X.520).
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// Requires a client certificate chained to a CA of the PEM file `path`
/// and, with `subject`, whose subject's common name is `subject`.
pub(super) fn client_verifier(
    path: &std::path::Path,
    subject: Option<&str>,
) -> Result<Arc<dyn ClientCertVerifier>, TlsFileError> {
    use rustls::pki_types::pem::PemObject as _;
    let fail = |problem: String| TlsFileError(format!("the client CA file `{}` {problem}", path.display()));
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect)
        .map_err(|e| fail(format!("is not a PEM certificate file: {e}")))?;
    let mut roots = rustls::RootCertStore::empty();
    for certificate in certificates {
        roots
            .add(certificate)
            .map_err(|e| fail(format!("holds a certificate that is not a CA's: {e}")))?;
    }
    if roots.is_empty() {
        return Err(fail("holds no certificate".to_owned()));
    }
    let chained = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), super::tls::provider())
        .build()
        .map_err(|e| fail(format!("cannot verify clients: {e}")))?;
    Ok(match subject {
        None => chained,
        Some(name) => Arc::new(SubjectCheck {
            chained,
            common_name: name.to_owned(),
        }),
    })
}

/// The common names of a certificate's subject; none if it does not parse.
pub(crate) fn common_names(certificate: &CertificateDer<'_>) -> Vec<String> {
    let Ok(parsed) = webpki::EndEntityCert::try_from(certificate) else {
        return Vec::new();
    };
    names_in(parsed.subject()).unwrap_or_default()
}

/// The `commonName` values of an RDNSequence's contents (a SEQUENCE OF SET
/// OF AttributeTypeAndValue, RFC 5280 4.1.2.4).
fn names_in(rdn_sequence: &[u8]) -> der::Result<Vec<String>> {
    let mut names = Vec::new();
    let mut rdns = SliceReader::new(rdn_sequence)?;
    while !rdns.is_finished() {
        let rdn: AnyRef<'_> = rdns.decode()?;
        rdn.tag().assert_eq(Tag::Set)?;
        let mut attributes = SliceReader::new(rdn.value())?;
        while !attributes.is_finished() {
            let attribute: AnyRef<'_> = attributes.decode()?;
            attribute.tag().assert_eq(Tag::Sequence)?;
            let mut fields = SliceReader::new(attribute.value())?;
            let kind: ObjectIdentifier = fields.decode()?;
            let value: AnyRef<'_> = fields.decode()?;
            let text = matches!(value.tag(), Tag::Utf8String | Tag::PrintableString | Tag::Ia5String);
            if kind == COMMON_NAME && text {
                if let Ok(name) = std::str::from_utf8(value.value()) {
                    names.push(name.to_owned());
                }
            }
        }
    }
    Ok(names)
}

/// The WebPKI verifier, then the subject's common name.
#[derive(Debug)]
struct SubjectCheck {
    chained: Arc<dyn ClientCertVerifier>,
    common_name: String,
}

impl ClientCertVerifier for SubjectCheck {
    fn offer_client_auth(&self) -> bool {
        self.chained.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.chained.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.chained.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let verified = self.chained.verify_client_cert(end_entity, intermediates, now)?;
        if common_names(end_entity).contains(&self.common_name) {
            Ok(verified)
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chained.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chained.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.chained.supported_verify_schemes()
    }
}
