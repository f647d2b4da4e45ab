//! DynamoDB-backed distributed cache and session store (work in progress: see the issues).
