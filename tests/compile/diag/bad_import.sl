import "std/nosuchmodule";
port out;
on packet(p: packet) {
    send(out);
}
