import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../lib/api";
import { ConfirmDialog } from "./ui";

describe("ConfirmDialog", () => {
  it("moves focus in, confirms, and shows a refusal instead of closing", async () => {
    const onClose = vi.fn();
    const onConfirm = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(409, { detail: "Endpoint 'qa' is still published there." }))
      .mockResolvedValueOnce(undefined);
    render(<ConfirmDialog title="Remove SyftHub?" message="Sure?" confirmLabel="Remove" onConfirm={onConfirm} onClose={onClose} />);
    expect(document.activeElement?.textContent).toBe("Cancel");
    fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    expect((await screen.findByRole("alert")).textContent).toContain("still published");
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });

  it("closes on Escape without acting", () => {
    const onClose = vi.fn();
    const onConfirm = vi.fn();
    render(<ConfirmDialog title="Delete?" message="Sure?" confirmLabel="Delete" onConfirm={onConfirm} onClose={onClose} />);
    fireEvent.keyDown(screen.getByRole("dialog", { name: "Delete?" }), { key: "Escape" });
    expect(onClose).toHaveBeenCalled();
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
