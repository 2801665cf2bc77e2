//! Lenient typed deserialisation for big lists: parse straight into small
//! structs (no `serde_json::Value` tree per row), while a field of the wrong
//! type reads as missing instead of failing the whole page.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A scalar as text: strings as they are, numbers and booleans written out;
/// objects, arrays and null read as missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text(pub Option<String>);

impl Text {
    pub fn take(self) -> Option<String> {
        self.0
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
        Ok(Text(Some(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

/// An object read as `T`; anything else (or an object `T` rejects) reads as
/// `None`. `T` should itself be lenient (all fields `Text`/`Obj`/`Default`).
#[derive(Clone, Debug, PartialEq)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
        Ok(Obj(T::deserialize(de::value::MapAccessDeserializer::new(
            map,
        ))
        .ok()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Obj(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Obj<T>, D::Error> {
        d.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// A list whose items may each be anything: objects read as `T`, the rest
/// (and objects `T` rejects) count as skipped. Not a list → `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Items<T>(pub Option<Vec<Obj<T>>>);

impl<T> Default for Items<T> {
    fn default() -> Self {
        Items(None)
    }
}

struct ItemsVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ItemsVisitor<T> {
    type Value = Items<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items<T>, A::Error> {
        let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1000));
        while let Some(item) = seq.next_element::<Obj<T>>()? {
            v.push(item);
        }
        Ok(Items(Some(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items<T>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Items(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Items<T>, E> {
        Ok(Items(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Items<T>, E> {
        Ok(Items(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Items<T>, E> {
        Ok(Items(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Items<T>, E> {
        Ok(Items(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Items<T>, E> {
        Ok(Items(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Items<T>, E> {
        Ok(Items(None))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Items<T>, D::Error> {
        d.deserialize_any(ItemsVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug, PartialEq)]
    #[serde(default)]
    struct Inner {
        name: Text,
    }

    #[derive(serde::Deserialize, Default, Debug, PartialEq)]
    #[serde(default)]
    struct Outer {
        id: Text,
        inner: Obj<Inner>,
        list: Items<Inner>,
    }

    #[test]
    fn wrong_types_read_as_missing() {
        let o: Outer = serde_json::from_str(r#"{"id":5,"inner":"oops","list":[{"name":["x"]},"junk",{"name":"ok"}],"extra":{"a":[1]}}"#).unwrap();
        assert_eq!(o.id.0.as_deref(), Some("5"));
        assert_eq!(o.inner.0, None);
        let list = o.list.0.unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].0.as_ref().unwrap().name.0, None);
        assert_eq!(list[1].0, None);
        assert_eq!(list[2].0.as_ref().unwrap().name.0.as_deref(), Some("ok"));
        let o: Outer =
            serde_json::from_str(r#"{"id":null,"inner":{"name":true},"list":{}}"#).unwrap();
        assert_eq!(o.id.0, None);
        assert_eq!(o.inner.0.unwrap().name.0.as_deref(), Some("true"));
        assert_eq!(o.list.0, None);
    }
}
