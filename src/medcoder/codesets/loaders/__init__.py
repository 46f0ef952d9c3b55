"""One loader module per official CMS file format."""
