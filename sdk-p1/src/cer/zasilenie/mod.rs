//! The initial load (zasilenie inicjalne) of visits from a CSV file.
