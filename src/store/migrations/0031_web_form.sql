-- 0031: the public web form /lapor (issue 16 §1). One file for both engines.
-- cases.channel has allowed 'web' since 0001, so no check changes here.
--
-- The numbers a citizen should call first in an emergency (kebakaran,
-- rescue): the form shows them above an emergency category before it takes
-- the report. Free text as the agency writes them ("113, (0526) 2090113");
-- NULL: the agency has given none (the form then shows the national 112).
ALTER TABLE agencies ADD COLUMN emergency_phones TEXT;
