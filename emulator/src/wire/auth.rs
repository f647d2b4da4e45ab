//! SigV4 `Authorization` header checks and the data namespace it selects.
//!
//! Any credentials are accepted (signatures are not verified yet), but the header must be
//! there and well-formed, as DynamoDB insists, so clients that forget to sign fail here
//! exactly as they would against AWS. The access key id and the region in the credential
//! scope choose the namespace, as DynamoDB Local does, so parallel tests with different
//! access keys never see each other's tables.

use hyper::header::{HeaderMap, AUTHORIZATION};

use crate::common::{AuthError, Namespace};

/// IAM's longest access key id.
const MAX_ACCESS_KEY_LENGTH: usize = 128;
/// Far longer than any region name (`ap-southeast-5`), short enough to keep namespace ids
/// small.
const MAX_REGION_LENGTH: usize = 32;

/// Checks the header and returns the namespace the request's data lives in.
pub fn namespace_for(headers: &HeaderMap, shared_db: bool) -> Result<Namespace, AuthError> {
    let Some(raw) = headers.get(AUTHORIZATION) else {
        return Err(AuthError::Missing);
    };
    let header = raw.to_str().map_err(|_| AuthError::Missing)?;
    let credential = parse_authorization(header, has_date(headers))?;
    let mut scope = credential.split('/');
    let access_key = scope.next().unwrap_or_default();
    let _date = scope.next();
    let region = scope
        .next()
        .filter(|r| !r.is_empty())
        .unwrap_or("us-east-1");
    if access_key.len() > MAX_ACCESS_KEY_LENGTH || region.len() > MAX_REGION_LENGTH {
        return Err(AuthError::InvalidAccessKey);
    }
    Ok(Namespace::cached(access_key, region, shared_db))
}

fn has_date(headers: &HeaderMap) -> bool {
    headers.contains_key("x-amz-date") || headers.contains_key("date")
}

/// Returns the `Credential` value of a well-formed header.
///
/// Every request passes here, so the parameters are split bytewise (`,` and ` ` are
/// ASCII, so every piece stays valid UTF-8) rather than with a char pattern, and the
/// keys matched as prefixes.
fn parse_authorization(header: &str, has_date: bool) -> Result<&str, AuthError> {
    let mut credential = None;
    let mut signature = false;
    let mut signed_headers = false;
    // `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
    let params = header.split_once(' ').map(|(_, rest)| rest).unwrap_or("");
    let bytes = params.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr2(b',', b' ', &bytes[start..]).map_or(bytes.len(), |n| start + n);
        let part = &params[start..end];
        start = end + 1;
        // The key is what precedes the first `=`; a part without a value counts as absent.
        let present = |key: &str| {
            part.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix('='))
                .filter(|value| !value.is_empty())
        };
        if let Some(value) = present("Credential") {
            credential = Some(value);
        } else if present("Signature").is_some() {
            signature = true;
        } else if present("SignedHeaders").is_some() {
            signed_headers = true;
        }
    }
    let mut message = String::new();
    for (present, name) in [
        (credential.is_some(), "Credential"),
        (signature, "Signature"),
        (signed_headers, "SignedHeaders"),
    ] {
        if !present {
            message.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if !has_date {
        message.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    if !message.is_empty() {
        message.push_str("Authorization=");
        message.push_str(header);
        return Err(AuthError::Incomplete(message));
    }
    Ok(credential.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn headers(auth: Option<&str>, date: bool) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(a) = auth {
            h.insert(AUTHORIZATION, HeaderValue::from_str(a).unwrap());
        }
        if date {
            h.insert("x-amz-date", HeaderValue::from_static("20261121T000000Z"));
        }
        h
    }

    const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKID1/20261121/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";

    #[test]
    fn well_formed_header_selects_key_and_region() {
        let ns = namespace_for(&headers(Some(GOOD), true), false).unwrap();
        assert_eq!(ns, Namespace::new("AKID1", "eu-west-1"));
        let shared = namespace_for(&headers(Some(GOOD), true), true).unwrap();
        assert_eq!(shared, Namespace::shared("OTHER", "us-east-1"));
        assert_eq!(
            &*shared.region, "eu-west-1",
            "the request's region still reaches ARNs"
        );
        assert_ne!(
            Namespace::new("AKID1", "us-east-1"),
            Namespace::new("AKID1", "eu-west-1")
        );
    }

    #[test]
    fn overlong_access_keys_and_regions_are_unrecognized() {
        let long_key = format!(
            "AWS4-HMAC-SHA256 Credential={}/20261121/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc",
            "K".repeat(129)
        );
        assert_eq!(
            namespace_for(&headers(Some(&long_key), true), false),
            Err(AuthError::InvalidAccessKey)
        );
        let long_region = format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20261121/{}/dynamodb/aws4_request, SignedHeaders=host, Signature=abc",
            "r".repeat(33)
        );
        assert_eq!(
            namespace_for(&headers(Some(&long_region), true), false),
            Err(AuthError::InvalidAccessKey)
        );
        let longest = long_key.replace(&"K".repeat(129), &"K".repeat(128));
        assert!(namespace_for(&headers(Some(&longest), true), false).is_ok());
    }

    #[test]
    fn missing_header_is_missing_token() {
        assert_eq!(
            namespace_for(&headers(None, true), false),
            Err(AuthError::Missing)
        );
    }

    #[test]
    fn incomplete_header_names_every_missing_part() {
        let err = namespace_for(
            &headers(Some("AWS4-HMAC-SHA256 Credential=a/b/c/d/e"), false),
            false,
        )
        .unwrap_err();
        assert_eq!(
            err,
            AuthError::Incomplete(
                "Authorization header requires 'Signature' parameter. Authorization header requires \
                 'SignedHeaders' parameter. Authorization header requires existence of either a \
                 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/e"
                    .to_owned()
            )
        );
    }
}
