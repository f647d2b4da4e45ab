//! A small XML tree for key-ring elements, read and written with quick-xml.
//!
//! Repositories store whole elements as text and hand them back as trees; the key manager
//! reads `<key>` and `<revocation>` elements out of them. The tree keeps exactly what a key
//! element can hold (elements, attributes, text, comments), so an element written by
//! ASP.NET Core survives a read-write round trip through any repository unchanged in
//! meaning, including parts this crate does not understand (an `<encryptedSecret>`, say).
//!
//! Parsing follows `XElement.Parse` with its default options: one root element, whitespace
//! between elements is not kept, and a DTD is refused (so no entity can expand).
//! Writing follows `XElement.ToString()`: two-space indentation, `<empty />` with a space,
//! no XML declaration.

use std::fmt;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

/// An XML element: name, attributes in document order, children.
///
/// `Debug` shows the element's name and attributes only: key elements carry master keys in
/// their text, which must never reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct XmlElement {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<XmlNode>,
}

/// A child of an element.
#[derive(Clone, PartialEq, Eq)]
pub enum XmlNode {
    Element(XmlElement),
    Text(String),
    Comment(String),
}

/// Why a text is not an XML element.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a well-formed XML element: {0}")]
pub struct XmlError(String);

impl XmlElement {
    pub fn new(name: impl Into<String>) -> XmlElement {
        XmlElement {
            name: name.into(),
            attributes: Vec::new(),
            children: Vec::new(),
        }
    }

    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }

    pub fn with_child(mut self, child: XmlElement) -> Self {
        self.children.push(XmlNode::Element(child));
        self
    }

    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.children.push(XmlNode::Text(text.into()));
        self
    }

    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.children.push(XmlNode::Comment(comment.into()));
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn children(&self) -> &[XmlNode] {
        &self.children
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &XmlElement> {
        self.children.iter().filter_map(|c| match c {
            XmlNode::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element called `name`.
    pub fn element(&self, name: &str) -> Option<&XmlElement> {
        self.elements().find(|e| e.name == name)
    }

    /// The element's own text (its text children joined), as `(string)XElement` reads it
    /// for an element without child elements.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                XmlNode::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Parses one element, as `XElement.Parse` does.
    pub fn parse(text: &str) -> Result<XmlElement, XmlError> {
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        reader.config_mut().expand_empty_elements = false;
        // Open elements, innermost last; the finished root lands in `root`.
        let mut open: Vec<XmlElement> = Vec::new();
        let mut root: Option<XmlElement> = None;
        let fail = |what: String| XmlError(what);
        loop {
            let event = reader
                .read_event()
                .map_err(|e| fail(format!("{e} at byte {}", reader.error_position())))?;
            match event {
                Event::Start(start) => {
                    if root.is_some() && open.is_empty() {
                        return Err(fail("more than one root element".into()));
                    }
                    open.push(element_from(&start)?);
                }
                Event::Empty(start) => {
                    if root.is_some() && open.is_empty() {
                        return Err(fail("more than one root element".into()));
                    }
                    let element = element_from(&start)?;
                    close(&mut open, &mut root, element);
                }
                Event::End(_) => {
                    // check_end_names guarantees the end matches the innermost start.
                    let element = open
                        .pop()
                        .ok_or_else(|| fail("end tag without a start tag".into()))?;
                    close(&mut open, &mut root, element);
                }
                Event::Text(t) => {
                    let content = t.xml10_content();
                    push_text(&mut open, &content)?;
                }
                Event::CData(c) => {
                    let content = c.xml10_content();
                    push_text(&mut open, &content)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => {
                            let name = r.xml10_content();
                            resolve_predefined_entity(&name)
                                .ok_or_else(|| fail(format!("undefined entity &{name};")))?
                                .to_owned()
                        }
                        Err(e) => return Err(fail(e.to_string())),
                    };
                    push_text(&mut open, &resolved)?;
                }
                Event::Comment(c) => {
                    if let Some(parent) = open.last_mut() {
                        parent
                            .children
                            .push(XmlNode::Comment(c.xml10_content().into_owned()));
                    }
                }
                Event::DocType(_) => return Err(fail("a DTD is not allowed".into())),
                Event::Decl(_) | Event::PI(_) => {}
                Event::Eof => break,
            }
        }
        if !open.is_empty() {
            return Err(fail(format!("element <{}> is not closed", open[0].name)));
        }
        let mut root = root.ok_or_else(|| fail("no root element".into()))?;
        root.merge_text();
        Ok(root)
    }

    /// Adjacent text pieces (split by entity references) become one text node.
    fn merge_text(&mut self) {
        let mut merged: Vec<XmlNode> = Vec::with_capacity(self.children.len());
        for child in self.children.drain(..) {
            match (merged.last_mut(), child) {
                (Some(XmlNode::Text(previous)), XmlNode::Text(t)) => previous.push_str(&t),
                (_, XmlNode::Element(mut e)) => {
                    e.merge_text();
                    merged.push(XmlNode::Element(e));
                }
                (_, other) => merged.push(other),
            }
        }
        // Whitespace between elements is formatting, not content (LoadOptions.None).
        let has_elements = merged.iter().any(|c| matches!(c, XmlNode::Element(_)));
        if has_elements {
            merged.retain(|c| !matches!(c, XmlNode::Text(t) if t.trim().is_empty()));
        }
        self.children = merged;
    }

    /// The element as `XElement.ToString()` writes it.
    pub fn to_xml_string(&self) -> String {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        writer.config_mut().add_space_before_slash_in_empty_elements = true;
        self.write(&mut writer);
        // Writing to a Vec cannot fail and every piece written was a str.
        String::from_utf8(writer.into_inner()).unwrap_or_default()
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) {
        let mut start = BytesStart::new(self.name.as_str());
        for (name, value) in &self.attributes {
            start.push_attribute((name.as_str(), value.as_str()));
        }
        // io::Write on a Vec never fails.
        if self.children.is_empty() {
            let _ = writer.write_event(Event::Empty(start));
            return;
        }
        let _ = writer.write_event(Event::Start(start));
        for child in &self.children {
            match child {
                XmlNode::Element(e) => e.write(writer),
                XmlNode::Text(t) => {
                    let _ = writer.write_event(Event::Text(BytesText::new(t)));
                }
                XmlNode::Comment(c) => {
                    let _ = writer.write_event(Event::Comment(BytesText::from_escaped(c.as_str())));
                }
            }
        }
        let _ = writer.write_event(Event::End(BytesEnd::new(self.name.as_str())));
    }
}

fn element_from(start: &BytesStart<'_>) -> Result<XmlElement, XmlError> {
    let name = start.name().as_ref().to_owned();
    let mut element = XmlElement::new(name);
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| XmlError(e.to_string()))?;
        let key = attribute.key.as_ref().to_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError(e.to_string()))?
            .into_owned();
        element.attributes.push((key, value));
    }
    Ok(element)
}

fn close(open: &mut [XmlElement], root: &mut Option<XmlElement>, element: XmlElement) {
    match open.last_mut() {
        Some(parent) => parent.children.push(XmlNode::Element(element)),
        None => *root = Some(element),
    }
}

fn push_text(open: &mut [XmlElement], text: &str) -> Result<(), XmlError> {
    match open.last_mut() {
        Some(parent) => {
            parent.children.push(XmlNode::Text(text.to_owned()));
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError("text outside the root element".into())),
    }
}

impl fmt::Debug for XmlElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XmlElement")
            .field("name", &self.name)
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for XmlNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XmlNode::Element(e) => e.fmt(f),
            XmlNode::Text(_) => f.write_str("Text(..)"),
            XmlNode::Comment(_) => f.write_str("Comment(..)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_like_xelement_to_string() {
        let element = XmlElement::new("key")
            .with_attribute("id", "a&b")
            .with_child(XmlElement::new("creationDate").with_text("2019-12-23T19:22:56Z"))
            .with_comment(" note ")
            .with_child(XmlElement::new("encryption").with_attribute("algorithm", "AES_256_CBC"));
        assert_eq!(
            element.to_xml_string(),
            "<key id=\"a&amp;b\">\n  <creationDate>2019-12-23T19:22:56Z</creationDate>\n  \
             <!-- note -->\n  <encryption algorithm=\"AES_256_CBC\" />\n</key>"
        );
    }

    #[test]
    fn round_trips_and_drops_formatting_whitespace() {
        let text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a x=\"1 &lt; 2\">\n  <b>t &amp; &#65;</b>\n  <!-- c -->\n  <e/>\n</a>\n";
        let parsed = XmlElement::parse(text).unwrap();
        assert_eq!(parsed.attribute("x"), Some("1 < 2"));
        assert_eq!(parsed.element("b").unwrap().text(), "t & A");
        assert_eq!(parsed.elements().count(), 2);
        assert_eq!(XmlElement::parse(&parsed.to_xml_string()).unwrap(), parsed);
    }

    #[test]
    fn refuses_what_xelement_parse_refuses() {
        for bad in [
            "",
            "text",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
            "<a>&nope;</a>",
            "<key id=\"bar\"></missing-endtag>",
        ] {
            assert!(XmlElement::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn debug_never_shows_text() {
        let element = XmlElement::new("value").with_text("secret-key-material");
        assert!(!format!("{element:?}").contains("secret"));
    }
}
