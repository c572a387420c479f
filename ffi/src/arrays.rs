//! Arrays the library allocates and hands to C, each freed by one call with its length.

/// Hands a vector to C as a pointer and a length; an empty vector is NULL and 0, so the free
/// functions can ignore NULL.
pub fn into_c_array<T>(values: Vec<T>) -> (*mut T, usize) {
    if values.is_empty() {
        return (std::ptr::null_mut(), 0);
    }
    let len = values.len();
    (Box::into_raw(values.into_boxed_slice()).cast::<T>(), len)
}

/// Takes back an array made by [`into_c_array`]; NULL is ignored.
///
/// # Safety
/// `ptr` is NULL or came from [`into_c_array`] with this `len`, and is not used afterwards.
pub unsafe fn free_c_array<T>(ptr: *mut T, len: usize) {
    if !ptr.is_null() {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)));
    }
}
