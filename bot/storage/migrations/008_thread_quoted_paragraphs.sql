-- Which paragraphs of a thread's article its source marks as quotations (a WordPress
-- <blockquote>): JSON list of indices into lede + body without elisions. Older rows: none
-- known ('[]'); the text rules of reply inference still apply to them.
ALTER TABLE threads ADD COLUMN quoted TEXT NOT NULL DEFAULT '[]';
