"""The de-duplication keys bound to their notifications once per statement instead of once per row.

Migration 0010's row trigger ran a PL/pgSQL UPDATE (or INSERT) of ``notify_notificationkey`` for every
notification inserted: the sweep's batch of a thousand warnings paid a thousand executor runs for it.
Now an AFTER INSERT statement trigger reads the inserted rows (a transition table) and binds every key in
two set-based statements: a key the enqueue reserved takes its notification's id, any other key is
inserted and fails on a key another notification holds (IntegrityError, as before, whoever writes).

A DELETE frees the keys of the rows deleted, also per statement. An UPDATE of ``id`` or ``dedupe_key``
keeps the row trigger (rare: nothing but an admin edits them); an UPDATE that moves a row to another
month runs as a DELETE and an INSERT inside the UPDATE, which fire the row triggers of UPDATE and no
statement trigger of DELETE or INSERT, so the key follows the row through the UPDATE branch alone.
"""

from django.db import migrations

FORWARD = """
DROP TRIGGER notify_notification_key ON notify_notification;

CREATE OR REPLACE FUNCTION notify_notification_key() RETURNS trigger AS $$
BEGIN
    IF OLD.id = NEW.id AND OLD.dedupe_key IS NOT DISTINCT FROM NEW.dedupe_key THEN
        RETURN NEW;  -- a save() that writes every column back: the key stays bound
    END IF;
    IF OLD.dedupe_key IS NOT NULL THEN
        DELETE FROM notify_notificationkey WHERE dedupe_key = OLD.dedupe_key AND notification_id = OLD.id;
    END IF;
    IF NEW.dedupe_key IS NOT NULL THEN
        UPDATE notify_notificationkey SET notification_id = NEW.id
         WHERE dedupe_key = NEW.dedupe_key AND notification_id IS NULL;
        IF NOT FOUND THEN
            INSERT INTO notify_notificationkey (dedupe_key, notification_id) VALUES (NEW.dedupe_key, NEW.id);
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notify_notification_key
    BEFORE UPDATE OF id, dedupe_key ON notify_notification
    FOR EACH ROW EXECUTE FUNCTION notify_notification_key();

CREATE FUNCTION notify_notification_keys_bind() RETURNS trigger AS $$
BEGIN
    UPDATE notify_notificationkey k SET notification_id = n.id
      FROM notify_inserted n
     WHERE k.dedupe_key = n.dedupe_key AND k.notification_id IS NULL;
    -- Two rows of one statement with one key: the UPDATE bound one, this INSERT fails for the other.
    INSERT INTO notify_notificationkey (dedupe_key, notification_id)
    SELECT n.dedupe_key, n.id FROM notify_inserted n
     WHERE n.dedupe_key IS NOT NULL
       AND NOT EXISTS (SELECT FROM notify_notificationkey k
                        WHERE k.dedupe_key = n.dedupe_key AND k.notification_id = n.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notify_notification_keys_bind
    AFTER INSERT ON notify_notification REFERENCING NEW TABLE AS notify_inserted
    FOR EACH STATEMENT EXECUTE FUNCTION notify_notification_keys_bind();

CREATE FUNCTION notify_notification_keys_free() RETURNS trigger AS $$
BEGIN
    DELETE FROM notify_notificationkey k USING notify_deleted o
     WHERE o.dedupe_key IS NOT NULL AND k.dedupe_key = o.dedupe_key AND k.notification_id = o.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notify_notification_keys_free
    AFTER DELETE ON notify_notification REFERENCING OLD TABLE AS notify_deleted
    FOR EACH STATEMENT EXECUTE FUNCTION notify_notification_keys_free();
"""

BACKWARD = """
DROP TRIGGER notify_notification_keys_bind ON notify_notification;
DROP TRIGGER notify_notification_keys_free ON notify_notification;
DROP FUNCTION notify_notification_keys_bind();
DROP FUNCTION notify_notification_keys_free();
DROP TRIGGER notify_notification_key ON notify_notification;
CREATE OR REPLACE FUNCTION notify_notification_key() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.dedupe_key IS NOT NULL THEN
        DELETE FROM notify_notificationkey WHERE dedupe_key = OLD.dedupe_key AND notification_id = OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.dedupe_key IS NOT NULL THEN
        UPDATE notify_notificationkey SET notification_id = NEW.id
         WHERE dedupe_key = NEW.dedupe_key AND notification_id IS NULL;
        IF NOT FOUND THEN
            INSERT INTO notify_notificationkey (dedupe_key, notification_id) VALUES (NEW.dedupe_key, NEW.id);
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notify_notification_key
    BEFORE INSERT OR DELETE OR UPDATE OF id, dedupe_key ON notify_notification
    FOR EACH ROW EXECUTE FUNCTION notify_notification_key();
"""


class Migration(migrations.Migration):
    dependencies = [("notify", "0010_partition_the_notifications")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
