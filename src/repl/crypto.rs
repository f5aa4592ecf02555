//! The cryptographic commands: encrypt, decrypt, re-encrypt, data keys,
//! envelope `seal` and `open`, and `call` for any operation of the JSON API.
//! Each notes how its call is decided, for `explain`.

use std::io::Write;

use zeroize::Zeroizing;

use super::command::{Command, Statement};
use super::diagnostics::ReplError;
use super::run::{done, io};
use super::session::{Ran, Session, Step};
use super::value::{printable, Value};
use crate::kms::op::{run_json, wipe, Json};
use crate::kms::runtime::ReEncryptCall;
use crate::kms::stream::OnRuntime;
use crate::kms::wire::b64;
use crate::kms::Operation as _;
use crate::policy::suggest;

impl Session {
    pub(super) fn crypto(&mut self, statement: &Statement, out: &mut impl Write) -> Result<Ran, ReplError> {
        let line = &statement.line;
        let caller = self.caller.clone();
        let kms = ReplError::kms;
        match &statement.command {
            Command::Encrypt {
                key,
                plaintext,
                options,
            } => {
                let key_id = self.key(key, line)?;
                let plaintext = self.plaintext(plaintext, line)?;
                let tokens = self.tokens(options, line)?;
                let result = self
                    .runtime
                    .encrypt(&caller, &key_id, &plaintext, &options.context, &tokens);
                let encrypted = result.map_err(kms("Encrypt"))?;
                writeln!(out, "ciphertext: {}", b64(&encrypted.ciphertext_blob)).map_err(io)?;
                writeln!(out, "  key: {}", encrypted.key_arn).map_err(io)?;
                Ok((Step::Done, Some(Value::Ciphertext(encrypted.ciphertext_blob))))
            }
            Command::Decrypt {
                ciphertext,
                key,
                options,
            } => {
                let blob = self.ciphertext(ciphertext, line)?;
                let key_id = key.as_ref().map(|k| self.key(k, line)).transpose()?;
                let tokens = self.tokens(options, line)?;
                let decrypted = self
                    .runtime
                    .decrypt(&caller, &blob, key_id.as_deref(), &options.context, &tokens)
                    .map_err(kms("Decrypt"))?;
                let text = Zeroizing::new(printable(&decrypted.plaintext));
                writeln!(out, "plaintext: {}", text.as_str()).map_err(io)?;
                Ok((Step::Done, Some(Value::Plaintext(decrypted.plaintext.clone()))))
            }
            Command::ReEncrypt {
                ciphertext,
                source_context,
                key,
                destination_context,
            } => {
                let blob = self.ciphertext(ciphertext, line)?;
                let key_id = self.key(key, line)?;
                let destination = destination_context.as_ref().unwrap_or(source_context);
                let encrypted = match self.partner.as_mut() {
                    // The destination key is in another partition (another account's key).
                    Some(partner) => {
                        let call = ReEncryptCall {
                            ciphertext_blob: &blob,
                            source_key_id: None,
                            source_context,
                            destination_key_id: &key_id,
                            destination_context: destination,
                            grant_tokens: &[],
                        };
                        self.runtime.re_encrypt_to(partner, &caller, &call)
                    }
                    None => self
                        .runtime
                        .re_encrypt(&caller, &blob, None, source_context, &key_id, destination, &[]),
                }
                .map_err(kms("ReEncrypt"))?;
                writeln!(out, "ciphertext: {}", b64(&encrypted.ciphertext_blob)).map_err(io)?;
                writeln!(out, "  key: {}", encrypted.key_arn).map_err(io)?;
                Ok((Step::Done, Some(Value::Ciphertext(encrypted.ciphertext_blob))))
            }
            Command::GenerateDataKey {
                key,
                key_spec,
                bytes,
                options,
                with_plaintext,
            } => {
                let key_id = self.key(key, line)?;
                let tokens = self.tokens(options, line)?;
                // AES_256 unless a size is given, as `aws kms` scripts usually ask.
                let key_spec = key_spec.as_deref().or(bytes.is_none().then_some("AES_256"));
                let result = self.runtime.generate_data_key(
                    &caller,
                    &key_id,
                    key_spec,
                    *bytes,
                    &options.context,
                    &tokens,
                    *with_plaintext,
                );
                let data_key = result.map_err(kms("GenerateDataKey"))?;
                let value = Value::DataKey {
                    plaintext: data_key.plaintext,
                    ciphertext: data_key.ciphertext_blob,
                };
                writeln!(out, "{}", value.describe()).map_err(io)?;
                writeln!(out, "  key: {}", data_key.key_arn).map_err(io)?;
                Ok((Step::Done, Some(value)))
            }
            Command::Seal {
                plaintext,
                keys,
                context,
            } => {
                let plaintext = self.plaintext(plaintext, line)?;
                let keys = keys.iter().map(|k| self.key(k, line)).collect::<Result<Vec<_>, _>>()?;
                let mut kms = OnRuntime {
                    runtime: &mut self.runtime,
                    partner: self.partner.as_mut(),
                    caller: &caller,
                };
                let sealer = crate::kms::stream::Sealer::new(&mut kms, &keys, context, 64 * 1024)
                    .map_err(|e| ReplError::Failed(e.to_string()))?;
                let mut sealed = Vec::new();
                sealer
                    .seal(&mut plaintext.as_slice(), &mut sealed, &Default::default())
                    .map_err(|e| ReplError::Failed(e.to_string()))?;
                writeln!(
                    out,
                    "sealed {} bytes under a fresh data key, encrypted under {}",
                    plaintext.len(),
                    sealer.key_arns().join(", ")
                )
                .map_err(io)?;
                Ok((Step::Done, Some(Value::Sealed(sealed))))
            }
            Command::Open { sealed, context } => {
                let bytes = self.sealed(sealed, line)?;
                let mut input = bytes.as_slice();
                let read =
                    crate::crypto::envelope::read_header(&mut input).map_err(|e| ReplError::Failed(e.to_string()))?;
                let mut kms = OnRuntime {
                    runtime: &mut self.runtime,
                    partner: self.partner.as_mut(),
                    caller: &caller,
                };
                let opener = crate::kms::stream::Opener::new(&mut kms, context, read)
                    .map_err(|e| ReplError::Failed(e.to_string()))?;
                let mut plaintext = Zeroizing::new(Vec::new());
                opener
                    .open(&mut input, &mut *plaintext, &Default::default())
                    .map_err(|e| ReplError::Failed(e.to_string()))?;
                let text = Zeroizing::new(printable(&plaintext));
                writeln!(out, "opened with {}", opener.key_arn()).map_err(io)?;
                writeln!(out, "plaintext: {}", text.as_str()).map_err(io)?;
                Ok((Step::Done, Some(Value::Plaintext(plaintext))))
            }
            Command::Call {
                operation,
                span,
                request,
            } => {
                if !crate::kms::wire::OPERATIONS.contains(&operation.as_str()) {
                    let help = suggest::help(operation, crate::kms::wire::OPERATIONS, "the operations");
                    return Err(ReplError::invalid(
                        line,
                        *span,
                        format!("`{operation}` is not an operation keyward serves"),
                        "unknown operation",
                        Some(help),
                    ));
                }
                let text = match request {
                    Some(r) => self.text(r, line)?,
                    None => "{}".to_owned(),
                };
                let request: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    let at = request.as_ref().map_or(*span, |r| r.span);
                    ReplError::invalid(line, at, format!("the request is not JSON: {e}"), "not JSON", None)
                })?;
                let mut response = match self.partner.as_mut() {
                    Some(partner) => {
                        let call = Json {
                            operation,
                            request: &request,
                        };
                        call.run_across(&mut self.runtime, partner, &caller)
                    }
                    None => run_json(&mut self.runtime, &caller, operation, &request),
                };
                let printed = match &mut response {
                    Ok(value) => {
                        if let Some(shape) = self.shape_response {
                            shape(operation, value);
                        }
                        let mut text = Zeroizing::new(serde_json::to_string_pretty(value).unwrap_or_default());
                        wipe(value);
                        text.push('\n');
                        out.write_all(text.as_bytes()).map_err(io)
                    }
                    Err(_) => Ok(()),
                };
                response.map_err(|error| ReplError::Kms {
                    operation: operation.clone(),
                    error,
                })?;
                printed?;
                done()
            }
            _ => done(),
        }
    }
}
