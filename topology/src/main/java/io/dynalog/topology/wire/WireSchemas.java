package io.dynalog.topology.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Dynalog's Avro schemas, loaded once from the {@code .avsc} files under {@code /avro/} on the
 * class path (see the README there for the rules of changing them).
 *
 * <p>The files are parsed in dependency order by one parser, so that StoredItem, WalEntry and
 * TableRecord can refer to AttributeValue by name. The returned schemas are shared: callers must
 * not modify them (no {@code addProp}).
 */
public final class WireSchemas {
    /** The class path directory holding the schema files. */
    public static final String RESOURCE_DIRECTORY = "/avro/";

    private static final Schema ATTRIBUTE_VALUE;
    private static final Schema STORED_ITEM;
    private static final Schema WAL_ENTRY;
    private static final Schema TABLE_RECORD;
    private static final Schema TABLE_RECORD_V1;
    private static final Schema TABLE_RECORD_V2;
    private static final Schema TABLE_RECORD_V3;
    private static final Schema INDEX_ROW;
    private static final Schema CHANGE_RECORD;
    private static final Schema WAL_ENTRY_V1;
    private static final Schema WAL_ENTRY_V2;
    private static final Schema WRITE_REQUEST;
    private static final Schema WRITE_REPLY;

    static {
        Schema.Parser parser = new Schema.Parser();
        ATTRIBUTE_VALUE = load(parser, "AttributeValue.avsc");
        STORED_ITEM = load(parser, "StoredItem.avsc");
        WAL_ENTRY = load(parser, "WalEntry.avsc");
        TABLE_RECORD = load(parser, "TableRecord.avsc");
        INDEX_ROW = load(parser, "IndexRow.avsc");
        CHANGE_RECORD = load(parser, "ChangeRecord.avsc");
        WRITE_REQUEST = load(parser, "WriteRequest.avsc");
        WRITE_REPLY = load(parser, "WriteReply.avsc");
        // Same record name as the current version: parsed with its own copy of AttributeValue.
        Schema.Parser walV1 = new Schema.Parser();
        load(walV1, "AttributeValue.avsc");
        WAL_ENTRY_V1 = load(walV1, "WalEntry.v1.avsc");
        Schema.Parser walV2 = new Schema.Parser();
        load(walV2, "AttributeValue.avsc");
        WAL_ENTRY_V2 = load(walV2, "WalEntry.v2.avsc");
        // Same record name as the current version: each parsed on its own.
        TABLE_RECORD_V1 = load(new Schema.Parser(), "TableRecord.v1.avsc");
        TABLE_RECORD_V2 = load(new Schema.Parser(), "TableRecord.v2.avsc");
        TABLE_RECORD_V3 = load(new Schema.Parser(), "TableRecord.v3.avsc");
    }

    private WireSchemas() {}

    /** {@code io.dynalog.avro.AttributeValue}: one DynamoDB value. */
    public static Schema attributeValue() {
        return ATTRIBUTE_VALUE;
    }

    /** {@code io.dynalog.avro.StoredItem}: an item as a RocksDB value ({@link ItemCodec}). */
    public static Schema storedItem() {
        return STORED_ITEM;
    }

    /** {@code io.dynalog.avro.WalEntry}: one WAL record ({@link WalEntryCodec}). */
    public static Schema walEntry() {
        return WAL_ENTRY;
    }

    /** {@code io.dynalog.avro.TableRecord}: a catalog record ({@link TableRecordCodec}). */
    public static Schema tableRecord() {
        return TABLE_RECORD;
    }

    /** {@code io.dynalog.avro.IndexRow}: one global index row change ({@link IndexRowCodec}). */
    public static Schema indexRow() {
        return INDEX_ROW;
    }

    /** {@code WalEntry} version 2 (before configurations): written for entries with a request token, and read. */
    public static Schema walEntryV2() {
        return WAL_ENTRY_V2;
    }

    /** {@code WalEntry} version 1 (before request tokens): written for entries without a token, and read. */
    public static Schema walEntryV1() {
        return WAL_ENTRY_V1;
    }

    /** {@code io.dynalog.avro.WriteRequest}: a record of the request topic ({@link WriteRequestCodec}). */
    public static Schema writeRequest() {
        return WRITE_REQUEST;
    }

    /** {@code io.dynalog.avro.WriteReply}: a record of a reply topic ({@link WriteReplyCodec}). */
    public static Schema writeReply() {
        return WRITE_REPLY;
    }

    /** {@code TableRecord} version 1 (before indexes): catalog records written by earlier versions, read only. */
    public static Schema tableRecordV1() {
        return TABLE_RECORD_V1;
    }

    /** {@code TableRecord} version 2 (indexes, no stream): catalog records written by earlier versions, read only. */
    public static Schema tableRecordV2() {
        return TABLE_RECORD_V2;
    }

    /** {@code TableRecord} version 3 (indexes and a stream, no group configurations): written while every group has its first. */
    public static Schema tableRecordV3() {
        return TABLE_RECORD_V3;
    }

    /** {@code io.dynalog.avro.ChangeRecord}: one change of a table's stream ({@link ChangeRecordCodec}). */
    public static Schema changeRecord() {
        return CHANGE_RECORD;
    }

    /** The CRC-64-AVRO fingerprint of a schema's parsing canonical form, as single-object messages carry it. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    private static Schema load(Schema.Parser parser, String fileName) {
        String resource = RESOURCE_DIRECTORY + fileName;
        try (InputStream in = WireSchemas.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("schema resource " + resource + " is missing");
            return parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema resource " + resource, e);
        }
    }
}
