"""cardscan: business card images in, structured contacts out."""
