use crate::registry::Property;

pub fn properties() -> Vec<Property> {
    vec![]
}
