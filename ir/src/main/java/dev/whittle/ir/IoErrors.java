package dev.whittle.ir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Turns file-system exceptions (whose messages are often just a path) into readable reasons. */
public final class IoErrors {
  private IoErrors() {}

  public static String describe(IOException e) {
    return switch (e) {
      case NoSuchFileException x -> "no such file or directory: " + x.getFile();
      case AccessDeniedException x -> "permission denied: " + x.getFile();
      case FileAlreadyExistsException x -> "a file is in the way: " + x.getFile();
      case NotDirectoryException x -> "not a directory: " + x.getFile();
      case FileSystemException x when x.getReason() != null -> x.getReason() + ": " + x.getFile();
      default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    };
  }
}
