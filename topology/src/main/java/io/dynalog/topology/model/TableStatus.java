package io.dynalog.topology.model;

/** DynamoDB's TableStatus values that Dynalog reports. */
public enum TableStatus { CREATING, ACTIVE, DELETING }
